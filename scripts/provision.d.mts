// Types for scripts/provision.mjs (used by the vitest globalSetup in test/setup/provision.ts).
export interface ProjectNeeds {
  commands?: string[];
  nodes?: string[];
  deps?: string[];
}
export declare const NEEDS: Readonly<Record<string, ProjectNeeds>>;
export declare function provision(
  projects?: string[],
  options?: { log?: (line: string) => void; dryRun?: boolean },
): Promise<string[]>;
