/**
 * `catalyst-streaming snippet --app FILE:VAR --route PATH --client KIND [--base-url URL] [--json]`: prints a
 * ready-to-paste consumer of a streaming route, from the same core as "Catalyst: Copy Client Snippet".
 */
import path from 'node:path';
import { snippetForAppRoute } from '../../core/app/snippet';
import { CLIENT_DESCRIPTIONS, CLIENT_KINDS, isClientKind, type ClientKind } from '../../core/snippets/clientSnippets';
import { clientLanguage, isSnippetLanguage, SNIPPET_LANGUAGES, type SnippetLanguage } from '../../core/snippets/snippetLanguages';
import { nodeFileSystem } from '../../core/workspace/fileSystem';
import { nodeProjectFiles } from '../../core/workspace/projectFiles';
import { CliError, parseAppOption, parseCommandLine, USAGE_ERROR, type CliCommand } from '../cli';
import { DEV_SERVER_URL } from '../../core/defaults';

const help = `Usage: catalyst-streaming snippet --app FILE:VAR --route PATH (--client KIND | --lang ts|python|curl)
                                  [--base-url URL] [--method GET|POST] [--workspace DIR] [--json]

Prints a ready-to-paste client of a streaming route. The route is looked up in the app's route table (router
and include_router prefixes applied), as read from the source; a path the source cannot place (an app built
in a class, a prefix passed to a factory) is looked up in the imported app's own route table (the project's
Python imports it, as add-endpoint does). Its protocol is read from its code: a route returning
ui_message_stream(...) speaks "ai-sdk", openai_chat_completion_stream(...) "openai", any other event
stream "sse" (our token/reasoning/tool_call/done/error events).

Clients (--client):
${CLIENT_KINDS.map((kind) => `  ${kind.padEnd(15)}${CLIENT_DESCRIPTIONS[kind]}`).join('\n')}
  eventsource needs a GET route speaking sse; ai-sdk a POST route speaking ai-sdk; openai-node and
  openai-python a POST route speaking openai whose path ends with /chat/completions (base URL = the rest).

Options:
  --app FILE:VAR    the module (relative to the workspace) and the app, app factory or APIRouter serving the route
  --route PATH      the path a client requests, e.g. /api/chat
  --client KIND     one of ${CLIENT_KINDS.join(', ')}
  --lang LANGUAGE   instead of --client, the language's client for the route: ts (fetch), python (openai-python
                    where it fits, else httpx), curl
  --base-url URL    where the app is served (default ${DEV_SERVER_URL})
  --method METHOD   when the path has both a GET and a POST streaming handler (default: the one the client can use)
  --workspace DIR   the project folder (default: the current folder)
  --json            print {"client","route":{"path","method","protocol"},"baseUrl","language","fileName",
                    "install","code"} instead of the code
  -h, --help        show this help

Exit status: 0 when the snippet was printed; 1 when the route is unknown or the client cannot consume it
(the message says why); 2 for a wrong command line.
`;

export const snippetCommand: CliCommand = {
  name: 'snippet',
  summary: 'print a ready-to-paste client of a streaming route',
  async run(args, io) {
    const { values } = parseCommandLine('snippet', args, {
      app: { type: 'string' },
      route: { type: 'string' },
      client: { type: 'string' },
      lang: { type: 'string' },
      'base-url': { type: 'string' },
      method: { type: 'string' },
      workspace: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      io.stdout(help);
      return 0;
    }
    const missing = (['app', 'route', 'client'] as const).filter((name) => values[name] === undefined && !(name === 'client' && values.lang !== undefined));
    if (missing.length > 0) {
      throw new CliError(`missing ${missing.map((name) => `--${name}`).join(', ')}\n\n${help}`, USAGE_ERROR);
    }
    const chosen = chosenClient(values.client, values.lang);
    const app = parseAppOption(values.app!);
    if (app.id === undefined) {
      throw new CliError(`--app must name the app in the file: FILE:VAR, e.g. ${values.app}:app`, USAGE_ERROR);
    }
    const baseUrl = values['base-url'] ?? DEV_SERVER_URL;
    if (!/^https?:\/\/[^/]/.test(baseUrl)) {
      throw new CliError(`--base-url must be an http(s) URL, got "${baseUrl}"`, USAGE_ERROR);
    }
    const method = values.method?.toUpperCase();
    if (method !== undefined && method !== 'GET' && method !== 'POST') {
      throw new CliError(`--method must be GET or POST, got "${values.method}"`, USAGE_ERROR);
    }
    const root = path.resolve(io.cwd, values.workspace ?? '.');
    if ((await nodeFileSystem.writability(root)) === 'missing') {
      throw new CliError(`the workspace folder ${root} does not exist`);
    }
    const file = path.relative(root, path.resolve(root, app.file)).split(path.sep).join('/');
    const found = await snippetForAppRoute(nodeProjectFiles(root), { file, id: app.id }, values.route!, chosen, {
      ...(method ? { method } : {}),
      baseUrl,
      askApp: true,
    });
    if (!found.ok) {
      throw new CliError(found.message);
    }
    const { snippet, route } = found;
    io.stdout(
      values.json
        ? `${JSON.stringify({ client: snippet.client, route, baseUrl, language: snippet.language, fileName: snippet.fileName, install: snippet.install, code: snippet.code })}\n`
        : snippet.code,
    );
    return 0;
  },
};

/** --client KIND, or --lang LANGUAGE (the language's client is chosen once the route is known); both must agree. */
function chosenClient(client: string | undefined, lang: string | undefined): ClientKind | { readonly language: SnippetLanguage } {
  if (client !== undefined && !isClientKind(client)) {
    throw new CliError(`unknown --client "${client}": expected one of ${CLIENT_KINDS.join(', ')}`, USAGE_ERROR);
  }
  if (lang === undefined) {
    return client!;
  }
  if (!isSnippetLanguage(lang)) {
    throw new CliError(`unknown --lang "${lang}": expected one of ${SNIPPET_LANGUAGES.join(', ')}`, USAGE_ERROR);
  }
  if (client !== undefined && clientLanguage(client) !== lang) {
    throw new CliError(`--client ${client} is not a ${lang} client: give one of the two`, USAGE_ERROR);
  }
  return client ?? { language: lang };
}
