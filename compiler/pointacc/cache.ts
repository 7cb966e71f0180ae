// The gather unit's cache: set-associative, LRU, one line per point (its feature row rounded up
// to the line size). Simulated on the real index stream of a layer to get its hit rate.

/** The cache line that holds one feature row: the row rounded up to 16 bytes (at least 16). */
export function cacheLineBytes(rowBytes: number): number {
  return Math.max(16, Math.ceil(rowBytes / 16) * 16);
}

export interface CacheConfig {
  bytes: number;
  ways: number;
  lineBytes: number;
}

export interface CacheStats {
  accesses: number;
  hits: number;
  /** Lines fetched from DRAM. */
  misses: number;
}

export class SetAssociativeCache {
  private readonly sets: number;
  private readonly tags: Int32Array;
  private readonly stamp: Float64Array;
  private clock = 0;
  readonly stats: CacheStats = { accesses: 0, hits: 0, misses: 0 };

  constructor(readonly config: CacheConfig) {
    const lines = Math.max(1, Math.floor(config.bytes / config.lineBytes));
    const ways = Math.max(1, Math.min(config.ways, lines));
    this.sets = Math.max(1, Math.floor(lines / ways));
    this.ways = ways;
    this.tags = new Int32Array(this.sets * ways).fill(-1);
    this.stamp = new Float64Array(this.sets * ways);
  }

  private readonly ways: number;

  /** Access the row of point `key`; true on a hit. */
  access(key: number): boolean {
    const set = key % this.sets;
    const base = set * this.ways;
    this.stats.accesses++;
    this.clock++;
    let victim = base;
    for (let w = 0; w < this.ways; w++) {
      if (this.tags[base + w] === key) {
        this.stamp[base + w] = this.clock;
        this.stats.hits++;
        return true;
      }
      if (this.stamp[base + w] < this.stamp[victim]) victim = base + w;
    }
    this.tags[victim] = key;
    this.stamp[victim] = this.clock;
    this.stats.misses++;
    return false;
  }
}

/** Hit statistics of a whole index stream through a fresh cache. */
export function simulateCache(stream: Iterable<number>, config: CacheConfig): CacheStats {
  const c = new SetAssociativeCache(config);
  for (const k of stream) c.access(k);
  return { ...c.stats };
}
