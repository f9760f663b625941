/**
 * The product's defaults, defined once for the CLI, the editor and the generated snippets: where a dev server
 * listens (uvicorn's own defaults, loopback only) and the route a new endpoint gets.
 */

/** The dev server's host: loopback, so nothing on the network reaches a development app. */
export const DEV_SERVER_HOST = '127.0.0.1';

/** uvicorn's default port, which the dev server uses too unless told otherwise. */
export const DEV_SERVER_PORT = 8000;

/** Where the dev server is reached: `http://127.0.0.1:8000`. */
export const DEV_SERVER_URL = `http://${DEV_SERVER_HOST}:${DEV_SERVER_PORT}`;

/** The route path of a new sse endpoint. */
export const DEFAULT_ROUTE = '/stream';
