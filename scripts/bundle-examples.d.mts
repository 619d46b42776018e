// Types for scripts/bundle-examples.mjs (used by the Lambda runtime and serverless suites).
export declare const FUNCTIONS: Readonly<Record<string, string>>;
export declare const BUNDLE_DIR: string;
export declare function ensureDist(): void;
export declare function bundleHandler(entry: string, outdir: string): Promise<string>;
export declare function zipFiles(files: ReadonlyArray<{ name: string; data: Uint8Array }>): Buffer;
export declare function bundleExamples(outDir?: string): Promise<Record<string, string>>;
