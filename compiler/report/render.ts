// Vega-Lite spec -> standalone SVG string, rendered in Node with vega's headless view (no
// canvas, no network). IDs inside the SVG are prefixed so several plots can share one page.
import type * as Vega from 'vega';
import type { TopLevelSpec } from 'vega-lite';

/**
 * Render a spec to SVG markup; idPrefix keeps clip-path and gradient ids unique per page.
 * Vega-Lite's warnings (a spec asking for something it cannot do) go to `warnings` when
 * given, never to the console.
 */
export async function renderSvg(spec: TopLevelSpec, idPrefix: string, warnings: string[] = []): Promise<string> {
  // Loaded on the first plot, not with the module: vega and vega-lite take longer to load than
  // most commands take to run, and the commands that import this module do not always plot.
  const [vega, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const collect = (...args: unknown[]) => void warnings.push(args.map(String).join(' '));
  const logger = {
    level: () => logger,
    error: collect,
    warn: collect,
    info: () => logger,
    debug: () => logger,
  } as unknown as Vega.LoggerInterface;
  const compiled = compile(spec, { logger }).spec;
  // The loader refuses every fetch: a report never reads anything but the data inlined in it.
  const loader = vega.loader({ mode: 'file' });
  loader.load = async (uri: string) => {
    throw new Error(`report plots must inline their data (tried to load ${uri})`);
  };
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', loader, logLevel: vega.Error });
  try {
    const svg = await view.toSVG();
    return prefixIds(svg, idPrefix);
  } finally {
    view.finalize();
  }
}

/** Rename every id="x" to id="<prefix>-x" and the url(#x) / href="#x" references to them. */
export function prefixIds(svg: string, prefix: string): string {
  const ids = new Set<string>();
  for (const m of svg.matchAll(/\bid="([^"]+)"/g)) ids.add(m[1]);
  if (ids.size === 0) return svg;
  const safe = prefix.replace(/[^A-Za-z0-9_-]/g, '-');
  return svg
    .replace(/\bid="([^"]+)"/g, (_, id: string) => `id="${safe}-${id}"`)
    .replace(/url\(#([^)]+)\)/g, (m, id: string) => (ids.has(id) ? `url(#${safe}-${id})` : m))
    .replace(/href="#([^"]+)"/g, (m, id: string) => (ids.has(id) ? `href="#${safe}-${id}"` : m));
}

/** Mark paths with geometry in a rendered SVG (role-mark groups): 0 means an empty plot. */
export function renderedMarkCount(svg: string): number {
  let n = 0;
  for (const g of svg.matchAll(/<g class="mark-[a-z]+ role-mark[^"]*"[^>]*>([\s\S]*?)<\/g>/g)) {
    n += [...g[1].matchAll(/<path\b[^>]*\bd="([^"]+)"/g)].length;
  }
  return n;
}
