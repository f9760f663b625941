/**
 * The functions of a Python module as data: name, async, generator, parameters, return annotation.
 */
import type { SyntaxNode } from './parser';
import { children, containsYield, isAsyncFunction, requiredField, spanOf, type Span } from './syntax';

export interface Parameter {
  readonly name: string;
  /** The annotation as written, e.g. `str`, `list[int] | None`. */
  readonly annotation?: string;
  /** The default value as written. */
  readonly defaultValue?: string;
  /** `*args` / `**kwargs` */
  readonly variadic: boolean;
}

export interface FunctionInfo {
  readonly name: string;
  readonly isAsync: boolean;
  /** Its body (not counting nested functions) contains `yield`. */
  readonly isGenerator: boolean;
  readonly parameters: readonly Parameter[];
  readonly returnAnnotation?: string;
  /** The `function_definition` node. */
  readonly node: SyntaxNode;
  /** From the first decorator (or `def`/`async def` when there is none) to the end of the body. */
  readonly span: Span;
}

export function readFunction(definition: SyntaxNode): FunctionInfo {
  // A definition is never the root: it sits in a module, a block or a decorated_definition.
  const decorated = definition.parent!.type === 'decorated_definition' ? definition.parent! : definition;
  const returnType = definition.childForFieldName('return_type');
  return {
    name: requiredField(definition, 'name').text,
    isAsync: isAsyncFunction(definition),
    isGenerator: containsYield(requiredField(definition, 'body')),
    parameters: children(requiredField(definition, 'parameters')).flatMap(readParameter),
    ...(returnType ? { returnAnnotation: returnType.text } : {}),
    node: definition,
    span: spanOf(decorated),
  };
}

function readParameter(node: SyntaxNode): Parameter[] {
  switch (node.type) {
    case 'identifier':
      return [{ name: node.text, variadic: false }];
    case 'typed_parameter': {
      // The grammar: the name (an identifier or a `*`/`**` splat of one) first, then `:` and the type.
      const inner = node.firstNamedChild!;
      const variadic = inner.type === 'list_splat_pattern' || inner.type === 'dictionary_splat_pattern';
      return [{ name: variadic ? splatName(inner) : inner.text, annotation: requiredField(node, 'type').text, variadic }];
    }
    case 'default_parameter':
    case 'typed_default_parameter': {
      const type = node.childForFieldName('type');
      return [
        {
          name: requiredField(node, 'name').text,
          ...(type ? { annotation: type.text } : {}),
          defaultValue: requiredField(node, 'value').text,
          variadic: false,
        },
      ];
    }
    case 'list_splat_pattern':
    case 'dictionary_splat_pattern':
      return [{ name: splatName(node), variadic: true }];
    default:
      // `*` and `/` separators.
      return [];
  }
}

/** `args` of `*args`, `kwargs` of `**kwargs`: a splat pattern's one named child. */
function splatName(splat: SyntaxNode): string {
  return splat.firstNamedChild!.text;
}
