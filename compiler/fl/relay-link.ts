// One direction of one link of the delay relay (real mode's `relay` link): model frames are paced
// to the bandwidth and delayed by latency ± jitter; control frames keep their place in the stream.
import type { Socket } from 'node:net';
import type { Prng } from '../util/prng.ts';
import { DelayStat, epochNow, frameStamp, isModelTraffic, restamp } from './frames.ts';

export interface LinkShape {
  latencyMs: number;
  jitterMs: number;
  bandwidthMbitPerS?: number;
}

/**
 * One direction of one link: serialises model frames at the bandwidth, then adds the latency.
 * Set-up and control frames (handshake, job, start, done) are not modelled: they pass without
 * delay, but never ahead of a model frame pushed before them (a worker's "done" must not
 * overtake its last round sum), so each waits until the model frames before it are delivered.
 */
export class Link {
  private free = 0;
  private pushedModel = 0;
  private deliveredModel = 0;
  /** Control frames waiting for the model frames pushed before them. */
  private readonly held: { raw: Buffer; after: number }[] = [];
  constructor(
    private readonly init: LinkShape,
    private readonly rng: Prng,
    private readonly out: () => Socket | undefined,
    private readonly stats: RelayStats,
  ) {}
  private write(raw: Buffer): void {
    const s = this.out();
    if (s && !s.destroyed) s.write(raw);
  }
  private release(): void {
    while (this.held.length && this.held[0].after <= this.deliveredModel) this.write(this.held.shift()!.raw);
  }
  push(raw: Buffer): void {
    if (!isModelTraffic(raw.readUInt8(4))) {
      this.held.push({ raw, after: this.pushedModel });
      this.release();
      return;
    }
    this.pushedModel++;
    const now = performance.now();
    // How long after its sender wrote it the relay got to the frame (loopback + wake-up).
    this.stats.receive.add(epochNow() - frameStamp(raw));
    const ser = this.init.bandwidthMbitPerS ? ((raw.length * 8) / (this.init.bandwidthMbitPerS * 1e6)) * 1000 : 0;
    const depart = Math.max(now, this.free);
    this.free = depart + ser;
    const j = this.init.jitterMs > 0 ? this.rng.uniform(-this.init.jitterMs, this.init.jitterMs) : 0;
    const at = depart + ser + Math.max(0, this.init.latencyMs + j);
    setTimeout(() => {
      this.stats.timerLate.add(performance.now() - at);
      restamp(raw);
      this.write(raw);
      this.deliveredModel++;
      this.release();
    }, at - now);
  }
}

export interface RelayStats {
  receive: DelayStat;
  timerLate: DelayStat;
}
