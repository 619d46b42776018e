// The 0.1 release as a bench library: its sources at the commit that landed as 0.1, bundled with esbuild
// into .bench-out/v0.1/ (the same way scripts/build.mjs of that commit bundled its root entry), so the
// hot-path rows of 0.1 and of this tree are measured in the same run against the same anchors.
// Needs the git history (a clone, not a tarball); without it the 0.1 rows are left out and the report
// says so.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

/** The last commit of 0.1 (2026-11-25); its package.json says 0.1.0. */
export const BASELINE_COMMIT = 'f0bbd50';

/** Returns `{ dir, commit }` with `dir/index.js`, or `{ skipped: reason }`. */
export async function buildBaseline(root, outDir) {
  const src = join(outDir, 'v0.1-src');
  const dir = join(outDir, 'v0.1');
  let commit;
  try {
    commit = execFileSync('git', ['rev-parse', '--verify', `${BASELINE_COMMIT}^{commit}`], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return { skipped: `commit ${BASELINE_COMMIT} (0.1) is not in this checkout's history` };
  }
  if (!existsSync(join(dir, commit))) {
    rmSync(src, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(src, { recursive: true });
    const tar = execFileSync('git', ['archive', '--format=tar', commit, 'src'], { cwd: root });
    execFileSync('tar', ['-x', '-C', src], { input: tar });
    await build({
      entryPoints: { index: join(src, 'src', 'index.ts') },
      outdir: dir,
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      target: 'es2022',
      external: ['node:*', 'undici'],
      logLevel: 'error',
    });
    mkdirSync(join(dir, commit));
  }
  return { dir, commit };
}
