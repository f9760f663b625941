/**
 * The Python text of the new route: the handler for its protocol (resumable or not, with an on_finish hook
 * or not), a resumable route's companions (useChat's resume, the stop endpoint), and the module-level code
 * it needs (the token source's helpers, the hook, a POST body model).
 */
import { pythonString, pythonStringBody } from '../../codegen/escape';
import {
  answerStatement,
  promptExpression,
  renderBodyModel,
  renderChatResumeRoute,
  renderChatRoute,
  renderFinishHook,
  renderRouteFunction,
  renderStopRoute,
  resumableAnswer,
  resumableHandlerBody,
  returnEvents,
  type AnswerLifecycle,
} from '../../codegen/python/templates/route.py';
import type { TokenSourceCode } from '../../codegen/python/templates/tokenSources.py';
import { pathParameters } from '../routePath';
import type { HandlerNames } from './handlerNames';
import type { EndpointPlanning, ResolvedTarget } from './planning';

export interface RouteTextInput {
  /** The path a client requests. */
  readonly url: string;
  /** The decorator's keyword arguments after the path (routeConventions.ts). */
  readonly decoratorKeywords: readonly string[];
  readonly source: TokenSourceCode;
  readonly names: HandlerNames;
  /** How the body model names pydantic's BaseModel in the target module. */
  readonly baseModel: string;
}

export interface RouteText {
  /** The route and its companions, in order. */
  readonly routes: readonly string[];
  /** The code that goes at module level above them. */
  readonly moduleLevel: readonly string[];
}

/** A model name as a Python string, or undefined. */
function quotedModel(model: string | undefined): string | undefined {
  return model === undefined ? undefined : pythonString(model);
}

export function routeText(planning: EndpointPlanning, target: ResolvedTarget, input: RouteTextInput): RouteText {
  const { method, protocol, route, resumable } = planning;
  const { url, decoratorKeywords, source, baseModel } = input;
  const { functionName, helpers, bodyModel, finishHook, companions } = input.names;
  const lifecycle: AnswerLifecycle | undefined = finishHook
    ? {
        hook: finishHook,
        onDisconnect: planning.onDisconnect,
        ...(planning.request.maxAnswerDuration === undefined ? {} : { maxDuration: planning.request.maxAnswerDuration }),
      }
    : undefined;
  const prompt = promptExpression(method);
  const handler =
    protocol === 'sse'
      ? renderRouteFunction({
          owner: target.variable,
          decoratorKeywords,
          method,
          path: route,
          url,
          functionName,
          pathParameters: pathParameters(route),
          ...(bodyModel ? { bodyModel } : {}),
          body: resumable
            ? resumableHandlerBody(
                lifecycle
                  ? `${source.answer.statements(prompt)}${resumableAnswer(source.answer.expression(prompt), lifecycle.hook, quotedModel(source.answer.model))}`
                  : source.body(prompt, returnEvents),
              )
            : lifecycle
              ? `${source.answer.statements(prompt)}${answerStatement(source.answer.expression(prompt), lifecycle, quotedModel(source.answer.model))}return streaming_response(stream_tokens(answer))\n`
              : source.body(prompt),
          ...(resumable ? { resumable: true } : {}),
        })
      : renderChatRoute({
          protocol,
          owner: target.variable,
          decoratorKeywords,
          path: route,
          url,
          functionName,
          pathParameters: pathParameters(route),
          statements: source.chat.statements,
          source: source.chat.expression,
          defaultModel: source.chat.model,
          ...(resumable ? { resumable: true } : {}),
          ...(lifecycle ? { lifecycle } : {}),
          ...(source.answer.model === undefined ? {} : { model: source.answer.model }),
        });
  const companion = {
    owner: target.variable,
    decoratorKeywords,
    path: route,
    url,
    routeFunction: functionName,
    pathParameters: pathParameters(route),
    chat: protocol === 'ai-sdk',
  };
  return {
    // A resumable route's companions: useChat's resume (ai-sdk), and the stop endpoint.
    routes: [
      handler,
      ...(companions.resume ? [renderChatResumeRoute({ ...companion, functionName: companions.resume })] : []),
      ...(companions.stop ? [renderStopRoute({ ...companion, functionName: companions.stop })] : []),
    ],
    moduleLevel: [
      ...helpers.map((helper) => helper.text),
      ...(finishHook ? [renderFinishHook(finishHook, `${method} ${pythonStringBody(url)}`)] : []),
      // The body model right above the route that reads it.
      ...(bodyModel ? [renderBodyModel(bodyModel, method, url, baseModel)] : []),
    ],
  };
}
