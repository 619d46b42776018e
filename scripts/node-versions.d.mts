// Types for scripts/node-versions.mjs (used by the Lambda runtime suites).
export declare const NODE_MAJORS: readonly string[];
export declare function nodeBinary(major: string | number): string;
export declare function ensureNode(major: string | number): string;
