// Our MAESTRO IR back to MAESTRO's own input files: a mapping file (network, layers, dataflow
// directives) and a HW file, which the `maestro` binary and our importer both read.
import type { Directive, MaestroHardware, MaestroNetwork } from './types.ts';

const directiveText = (d: Directive): string =>
  d.kind === 'cluster'
    ? `Cluster(${d.size}, P);`
    : `${d.kind === 'temporal' ? 'TemporalMap' : 'SpatialMap'}(${d.size},${d.ofs}) ${d.variable};`;

/** Names MAESTRO's tokenizer keeps whole (no separators, no braces). */
const safeName = (s: string): string => s.replace(/[^A-Za-z0-9_.']/g, '_') || 'Layer';

export function maestroMappingText(net: MaestroNetwork, header = ''): string {
  const lines: string[] = [];
  if (header) for (const h of header.split('\n')) lines.push(`// ${h}`);
  lines.push(`Network ${safeName(net.name)} {`);
  for (const l of net.layers) {
    const strided = l.dims.filter((d) => d.stride !== 1 || d.name === 'X' || d.name === 'Y');
    lines.push(`\tLayer ${safeName(l.name)} {`, `\t\tType: ${l.transposed ? 'TRCONV' : l.type}`);
    if (strided.length > 0) lines.push(`\t\tStride { ${strided.map((d) => `${d.name}: ${d.stride}`).join(', ')} }`);
    lines.push(`\t\tDimensions { ${l.dims.map((d) => `${d.name}: ${d.size}`).join(', ')} }`, '\t\tDataflow {');
    for (const d of l.dataflow) lines.push(`\t\t\t${directiveText(d)}`);
    lines.push('\t\t}', '\t}');
  }
  lines.push('}', '');
  return lines.join('\n');
}

export function maestroHwText(hw: MaestroHardware): string {
  return [
    `num_pes: ${hw.numPes}`,
    `l1_size_cstr: ${hw.l1Size}`,
    `l2_size_cstr: ${hw.l2Size}`,
    `noc_bw_cstr: ${hw.nocBw}`,
    `offchip_bw_cstr: ${hw.offchipBw}`,
    '',
  ].join('\n');
}

/** The `maestro` command line that evaluates a mapping file with these resources (hop latency 0, as from flags). */
export function maestroCommand(mappingFile: string, hw: MaestroHardware): string {
  return `maestro --Mapping_file=${mappingFile} --num_pes=${hw.numPes} --l1_size_cstr=${hw.l1Size} --l2_size_cstr=${hw.l2Size} --noc_bw_cstr=${hw.nocBw} --offchip_bw_cstr=${hw.offchipBw} --print_res=true --print_res_csv_file=true --print_log_file=false`;
}
