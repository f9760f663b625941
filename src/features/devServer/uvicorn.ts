/** The uvicorn command line for a dev server. */

export interface UvicornCommand {
  readonly target: string;
  readonly host: string;
  readonly port: number;
  readonly appDir?: string;
  readonly factory?: boolean;
  readonly reload?: boolean;
}

export function uvicornArgs(command: UvicornCommand): string[] {
  return [
    '-m',
    'uvicorn',
    command.target,
    '--host',
    command.host,
    '--port',
    String(command.port),
    ...(command.appDir ? ['--app-dir', command.appDir] : []),
    ...(command.factory ? ['--factory'] : []),
    ...(command.reload ? ['--reload'] : []),
  ];
}
