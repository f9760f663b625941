/**
 * A `.py` file imported as its text: esbuild bundles it with `loader: { '.py': 'text' }` (esbuild.mjs), and
 * under mocha/tsx the require hook in scripts/register-py-text.cjs does the same.
 */
declare module '*.py' {
  const text: string;
  export default text;
}
