/** Types of chromium.mjs (plain ESM, shared with the extension-host runner). */
export declare const CHROMIUM: string;
export declare const CHROMIUM_ARGS: readonly string[];
