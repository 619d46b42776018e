// The provisioning decision for system packages (scripts/system-packages.mjs): apt-get only as root on
// Debian, otherwise a failure that names every missing command, its package and how to install it.
import { describe, expect, it } from 'vitest';
import { NEEDS } from '../../scripts/provision.mjs';
import { COMMANDS, findCommand, planSystem, provideSystem } from '../../scripts/system-packages.mjs';

const rootDebian = { root: true, debian: true };
const userDebian = { root: false, debian: true };
const otherOs = { root: true, debian: false };

describe('planSystem', () => {
  it('does nothing when nothing is missing, whatever the machine', () => {
    for (const host of [rootDebian, userDebian, otherOs])
      expect(planSystem([], host)).toEqual({ action: 'none' });
  });

  it('installs the packages behind the missing commands as root on Debian, each package once', () => {
    expect(planSystem(['cmake', 'libtoolize', 'xz', 'victoria-metrics'], rootDebian)).toEqual({
      action: 'apt',
      packages: ['cmake', 'libtool', 'xz-utils', 'victoria-metrics'],
    });
    expect(planSystem(['autoconf', 'autoconf'], rootDebian)).toEqual({
      action: 'apt',
      packages: ['autoconf'],
    });
  });

  it('fails without root, naming each command, its package, what needs it and the apt-get line', () => {
    const plan = planSystem(['victoria-metrics', 'libtoolize'], userDebian);
    expect(plan.action).toBe('fail');
    const message = plan.action === 'fail' ? plan.message : '';
    expect(message).toContain('victoria-metrics');
    expect(message).toContain('Debian package libtool');
    expect(message).toContain(COMMANDS.libtoolize!.why);
    expect(message).toContain('sudo apt-get install -y victoria-metrics libtool');
  });

  it('fails off Debian without suggesting apt-get', () => {
    const plan = planSystem(['chromium'], otherOs);
    expect(plan).toMatchObject({ action: 'fail', message: expect.stringContaining('not Debian') });
    expect(plan.action === 'fail' && plan.message).not.toContain('apt-get');
  });

  it('never replaces an explicit VICTORIA_METRICS_BIN that is not executable', () => {
    const env = { VICTORIA_METRICS_BIN: '/nowhere/vm' };
    expect(planSystem(['victoria-metrics'], rootDebian, env)).toEqual({
      action: 'fail',
      message: expect.stringContaining('VICTORIA_METRICS_BIN=/nowhere/vm'),
    });
  });

  it('knows a package for every command a project needs', () => {
    const commands = Object.values(NEEDS).flatMap((n) => n.commands ?? []);
    expect(commands.length).toBeGreaterThan(0);
    expect(planSystem(commands, rootDebian).action).toBe('apt');
  });

  it('refuses a command it has no package for instead of guessing one', () => {
    expect(() => planSystem(['no-such-tool'], rootDebian)).toThrow(/no package known for no-such-tool/);
  });
});

describe('provideSystem on this machine', () => {
  // A command no machine has, so the real lookup finds it missing; dryRun stops before apt-get.
  const table = { 'handlerstats-missing-tool': { pkg: 'handlerstats-missing-pkg', why: 'this test' } };
  const commands = ['handlerstats-missing-tool'];

  it('plans apt-get for what the real PATH lookup misses (root on Debian, dry run)', () => {
    const lines: string[] = [];
    const packages = provideSystem(commands, {
      table,
      host: rootDebian,
      dryRun: true,
      log: (l) => lines.push(l),
    });
    expect(packages).toEqual(['handlerstats-missing-pkg']);
    expect(lines).toEqual([
      'provision: apt-get install handlerstats-missing-pkg (missing: handlerstats-missing-tool)',
    ]);
  });

  it('throws the failure message without root', () => {
    expect(() => provideSystem(commands, { table, host: userDebian, log: () => {} })).toThrow(
      /handlerstats-missing-tool +Debian package handlerstats-missing-pkg: this test/,
    );
  });

  it('finds a command on PATH and reports nothing to do for it', () => {
    expect(findCommand('node')).toBeDefined();
    expect(findCommand('handlerstats-missing-tool')).toBeUndefined();
    expect(
      provideSystem(['node'], { table: { node: { pkg: 'nodejs', why: 'x' } }, host: userDebian }),
    ).toEqual([]);
  });
});
