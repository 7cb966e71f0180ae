// The parts of the search queue that need no Redis: the exact codec, the job schema check and
// the resume journal (a restarted search reuses finished evaluations and counts each once).
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProgram } from '../../compiler/frontend/index.ts';
import type { CandidateResult, CandidateTask } from '../../compiler/naas/candidate.ts';
import { runCandidate } from '../../compiler/naas/run-candidate.ts';
import { decodeExact, encodeExact, taskId } from '../../compiler/naas/dispatch/codec.ts';
import { JOB_SCHEMA, parseJob } from '../../compiler/naas/dispatch/job-schema.ts';
import { journalPathFor, openJournal } from '../../compiler/naas/dispatch/journal.ts';
import { redactRedisUrl, scrubCredentials } from '../../compiler/naas/dispatch/redis-url.ts';
import { HW_VECTOR_LENGTH, limitsOf } from '../../compiler/naas/encoding.ts';
import { buildWorkloads } from '../../compiler/naas/problems.ts';
import { searchSpace, type Runner } from '../../compiler/naas/search.ts';

const prog = loadProgram('examples/naas_accelerators.nacc');
const workloads = buildWorkloads([prog.networks.find((n) => n.name === 'tinyconv')!]);
const space = prog.spaces.find((s) => s.name === 'naas_eyeriss')!;
const resources = prog.accelerators.find((a) => a.name === 'eyeriss')!;
const naasTask: CandidateTask = {
  kind: 'naas',
  x: new Array(HW_VECTOR_LENGTH).fill(0.5),
  space,
  limits: limitsOf(resources),
  workloads,
  inner: { generations: 1, population: 4 },
  seed: 7,
  objective: 'edp',
};
const job = (task: unknown) => ({ schema: JOB_SCHEMA, task: encodeExact(task) });

describe('exact codec', () => {
  it('round-trips numbers JSON cannot spell and ids follow content', () => {
    const v = { a: Infinity, b: -Infinity, c: NaN, d: -0, e: 0.1 + 0.2, f: [1e-310, Number.MAX_VALUE], g: 'x' };
    const back = decodeExact(encodeExact(v)) as typeof v;
    expect(back.a).toBe(Infinity);
    expect(back.b).toBe(-Infinity);
    expect(back.c).toBeNaN();
    expect(Object.is(back.d, -0)).toBe(true);
    expect(back.e).toBe(0.1 + 0.2);
    expect(back.f).toEqual(v.f);
    expect(taskId(encodeExact(naasTask))).toBe(taskId(encodeExact({ ...naasTask })));
    expect(taskId(encodeExact(naasTask))).not.toBe(taskId(encodeExact({ ...naasTask, seed: 8 })));
  });

  it('an invalid candidate (cost Infinity) survives the trip', () => {
    const r: CandidateResult = { valid: false, cost: Infinity, cycles: Infinity, energyPj: Infinity, networks: [], evaluations: 12 };
    const back = decodeExact(encodeExact(r)) as CandidateResult;
    expect(back).toEqual(r);
    expect(JSON.parse(JSON.stringify(r)).cost).toBeNull(); // what plain JSON would have done
  });
});

describe('job schema', () => {
  it('accepts the tasks a search sends', () => {
    const parsed = parseJob(job(naasTask));
    expect('task' in parsed && parsed.task).toEqual(naasTask);
    const fixed: CandidateTask = { kind: 'fixed', spec: resources, workloads, inner: { generations: 2, population: 50 }, seed: 3 };
    expect(parseJob(job(fixed))).toEqual({ task: fixed });
    const mapping = {
      levels: [
        {
          level: 'DRAM',
          temporal: [{ dim: 'K', bound: 4 }],
          spatial: [{ dim: 'C', bound: 2, axis: 'X' as const }],
          keep: ['Weights', 'Inputs', 'Outputs'],
        },
      ],
    };
    const design: CandidateTask = {
      kind: 'design',
      spec: resources,
      workloads,
      effort: 96,
      seed: 3,
      start: { [Object.keys(workloads.problems)[0]]: mapping },
      networkObjective: true,
      objective: 'edp',
    };
    expect(parseJob(job(design))).toEqual({ task: design });
  });

  it.each([
    ['not an object', 'hello', /expected an object/],
    ['another schema', { schema: 'nacc.naas.candidate/0', task: '{}' }, /schema: expected 'nacc\.naas\.candidate\/1'/],
    ['task not exact JSON', { schema: JOB_SCHEMA, task: '{"kind":' }, /not exact JSON/],
    ['unknown kind', job({ ...naasTask, kind: 'shell' }), /task\.kind: expected one of naas, sizing, fixed, remap/],
    ['vector of strings', job({ ...naasTask, x: ['rm -rf /'] }), /task\.x\[0\]: expected a finite number/],
    ['unknown field', job({ ...naasTask, eval: 'process.exit()' }), /task\.eval: unknown field/],
    [
      'huge budget',
      job({ ...naasTask, inner: { generations: 1e9, population: 4 } }),
      /task\.inner\.generations: expected an integer in 1\.\.100000/,
    ],
    [
      'layer without problem',
      job({ ...naasTask, workloads: { ...workloads, networks: [{ name: 'n', layers: [{ name: 'l', key: 'nope' }] }] } }),
      /no problem 'nope'/,
    ],
    ['negative seed', job({ ...naasTask, seed: -1 }), /task\.seed: expected an integer/],
  ])('rejects %s', (_what, data, message) => {
    const parsed = parseJob(data);
    expect('errors' in parsed).toBe(true);
    expect((parsed as { errors: string[] }).errors.join('\n')).toMatch(message);
  });
});

describe('Redis URLs in messages', () => {
  it('never carry credentials', () => {
    expect(redactRedisUrl('redis://alice:s3cret-pw@db.example:6380/2')).toBe('redis://***@db.example:6380/2');
    expect(redactRedisUrl('redis://:s3cret-pw@db.example')).toBe('redis://***@db.example');
    expect(redactRedisUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
    expect(scrubCredentials('WRONGPASS s3cret-pw for redis://alice:s3cret-pw@h:1', 'redis://alice:s3cret-pw@h:1')).not.toMatch(/s3cret/);
  });
});

describe('resume journal', () => {
  it('a restarted search reuses finished evaluations, evaluates only the rest, counts each once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'journal-'));
    const path = journalPathFor(join(dir, 'out'));
    expect(path).toBe(join(dir, '.out.search-journal'));
    const budget = { generations: 2, population: 4, inner: { generations: 1, population: 4 }, baselineEvaluations: 50 };
    const search = (run: Runner) => searchSpace({ workloads, space, resources, seed: 5, budget, run });
    let calls = 0;
    const counting: Runner = async (t) => {
      calls++;
      return runCandidate(t);
    };
    const whole = await search(counting);
    const total = calls;
    // Interrupted after 5 evaluations: the runner throws as a killed process would stop.
    calls = 0;
    const first = openJournal(path, 'key-1', async (t) => {
      if (calls >= 5) throw new Error('killed');
      return counting(t);
    });
    await expect(search(first.run)).rejects.toThrow('killed');
    expect(first.resumed).toBe(false);
    // A kill in the middle of a line leaves it cut short: it is ignored.
    writeFileSync(path, readFileSync(path, 'utf8') + 'cdeadbeef\t{"valid":tr');
    calls = 0;
    const second = openJournal(path, 'key-1', counting);
    const resumed = await search(second.run);
    expect(second.resumed).toBe(true);
    expect(second.reused).toBe(5);
    expect(calls).toBe(total - 5);
    expect(encodeExact(resumed)).toBe(encodeExact(whole));
    expect(resumed.evaluations).toBe(whole.evaluations);
    second.remove();
    expect(existsSync(path)).toBe(false);
    // Another search's journal is not resumed.
    const a = openJournal(path, 'key-1', counting);
    await a.run(naasTask);
    const b = openJournal(path, 'key-2', counting);
    expect(b.resumed).toBe(false);
  }, 120_000);
});
