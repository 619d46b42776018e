// Types for scripts/test-deps.mjs (used by the Lambda runtime and serverless suites).
export declare const DEP_SETS: Readonly<Record<string, { check: string; pkg?: string }>>;
export declare function depsDir(name: string): string;
export declare function depsReady(name: string): boolean;
export declare function requireDeps(name: string): string;
export declare function depsVersion(name: string, pkg: string): string;
export declare function provideDeps(name: string): Promise<boolean>;
