// Types for scripts/system-packages.mjs (used by test/scripts/system-packages.test.ts).
export interface CommandPackage {
  pkg: string;
  why: string;
  /** The only location that counts, when the tests use a fixed path. */
  path?: string;
}
export interface Host {
  root: boolean;
  debian: boolean;
}
export type SystemPlan =
  | { action: 'none' }
  | { action: 'apt'; packages: string[] }
  | { action: 'fail'; message: string };
export declare const COMMANDS: Readonly<Record<string, CommandPackage>>;
export declare function findCommand(name: string, env?: NodeJS.ProcessEnv): string | undefined;
export declare function planSystem(
  missing: string[],
  host: Host,
  env?: NodeJS.ProcessEnv,
  table?: Readonly<Record<string, CommandPackage>>,
): SystemPlan;
export declare function thisHost(): Host;
export declare function provideSystem(
  commands: string[],
  options?: {
    log?: (line: string) => void;
    dryRun?: boolean;
    env?: NodeJS.ProcessEnv;
    host?: Host;
    table?: Readonly<Record<string, CommandPackage>>;
  },
): string[];
