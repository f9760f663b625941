/** The generated Python package: which module has which name, and rendering the files a project needs. */
export { isPackageName, PACKAGE_EXPORTS, PACKAGE_NAMES, type PackageName } from './packageExports';
export { countPackageLines, lineCount, packageFilePaths, renderPackageFiles, type PackageFile, type PackageOptions } from './renderPackage';
export { DEFAULT_PYTHON_TARGET, type PythonTarget } from './pythonTarget';
