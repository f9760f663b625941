/** The Python that integration tests run: the first interpreter able to import FastAPI and uvicorn (cached). */
import { findPython, type PythonInterpreter } from '../../src/core/python/interpreter';

let found: Promise<PythonInterpreter> | undefined;

export function testPython(): Promise<PythonInterpreter> {
  found ??= findPython(['fastapi', 'uvicorn']);
  return found;
}
