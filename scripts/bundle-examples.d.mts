// Types for scripts/bundle-examples.mjs (used by the Lambda runtime and serverless suites).
export declare const FUNCTIONS: Readonly<Record<string, string>>;
export declare const BUNDLE_DIR: string;
export declare function ensureDist(): void;
/** The `--import` file (`handlerstats/lambda/extension`, bundled) written next to every bundled handler. */
export declare const EXTENSION_FILE: string;
export declare function bundleHandler(
  entry: string,
  outdir: string,
  options?: { format?: 'esm' | 'cjs' },
): Promise<string>;
export declare function bundleExtension(outdir: string): Promise<string>;
export declare function zipFiles(files: ReadonlyArray<{ name: string; data: Uint8Array }>): Buffer;
export declare function bundleExamples(outDir?: string): Promise<Record<string, string>>;
