// The launcher's heap sizing (src/cli/node-heap.ts): which V8 flags `proctor serve` adds, from which memory limit.
import { describe, expect, it } from 'vitest';
import { heapFlags, launchEnv, memoryLimitMiB } from '../../../src/cli/node-heap.ts';

const GiB = 2 ** 30;
const host = { limitSetting: undefined, constrainedBytes: 0, totalBytes: 24 * GiB };

describe('memoryLimitMiB', () => {
  it('takes PROCTOR_MEMORY_LIMIT_MIB over the cgroup', () => {
    expect(memoryLimitMiB({ ...host, limitSetting: '512', constrainedBytes: 2 * GiB })).toBe(512);
  });
  it("takes the cgroup's limit when it is below the machine's memory", () => {
    expect(memoryLimitMiB({ ...host, constrainedBytes: 1 * GiB })).toBe(1024);
  });
  it("leaves a cgroup too small to size a heap for to node's defaults (old space would be under the live heap)", () => {
    expect(memoryLimitMiB({ ...host, constrainedBytes: 128 * 2 ** 20 })).toBeNull();
    expect(heapFlags({ ...host, constrainedBytes: 128 * 2 ** 20, given: [] })).toEqual([]);
  });
  it('is unknown without a setting or a cgroup limit (0, or no limit reported as a huge number)', () => {
    expect(memoryLimitMiB(host)).toBeNull();
    expect(memoryLimitMiB({ ...host, constrainedBytes: 2 ** 64 })).toBeNull();
  });
  it('refuses a setting that is not an integer or too small to start on', () => {
    for (const bad of ['abc', '512.5', '100', '-1'])
      expect(() => memoryLimitMiB({ ...host, limitSetting: bad })).toThrow(RangeError);
  });
});

describe('heapFlags', () => {
  it('caps the old space at half the limit and the semi-spaces at 16 MiB', () => {
    const flags = (limitSetting: string) => heapFlags({ ...host, limitSetting, given: [] });
    expect(flags('512')).toEqual(['--max-semi-space-size=16', '--max-old-space-size=256']);
    expect(flags('256')).toEqual(['--max-semi-space-size=16', '--max-old-space-size=128']);
    expect(flags('2048')).toEqual(['--max-semi-space-size=16', '--max-old-space-size=1024']);
    expect(flags('4096')).toEqual(['--max-semi-space-size=16', '--max-old-space-size=2048']);
  });
  it("adds nothing when no limit is known: node's defaults", () => {
    expect(heapFlags({ ...host, given: [] })).toEqual([]);
  });
  it("keeps the operator's flags (node's arguments or NODE_OPTIONS, either spelling) and adds only the others", () => {
    const given = ['--max_semi_space_size=4'];
    expect(heapFlags({ ...host, limitSetting: '512', given })).toEqual(['--max-old-space-size=256']);
    const all = ['--max-semi-space-size=8', '--max-old-space-size-percentage=40'];
    expect(heapFlags({ ...host, limitSetting: '512', given: all })).toEqual([]);
  });
});

describe('launchEnv', () => {
  it("adds MALLOC_ARENA_MAX=2 when unset and keeps the operator's value and every other variable", () => {
    expect(launchEnv({ PATH: '/bin' })).toEqual({ PATH: '/bin', MALLOC_ARENA_MAX: '2' });
    expect(launchEnv({ PATH: '/bin', MALLOC_ARENA_MAX: '8' })).toEqual({ PATH: '/bin', MALLOC_ARENA_MAX: '8' });
  });
});
