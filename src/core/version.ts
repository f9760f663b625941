/** The extension's version, which also stamps every file the generator writes. */
import packageJson from '../../package.json';

export const CATALYST_VERSION: string = packageJson.version;
