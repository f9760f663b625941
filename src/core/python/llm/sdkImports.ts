/**
 * How a module names the LLM SDKs: `import openai`, `import anthropic as an`, `from groq import AsyncGroq`,
 * `from anthropic import AsyncAnthropic as Claude`. Only the top-level import statements count (imports
 * inside functions are rare for SDK clients and would need scope tracking for little gain).
 */
import type { SyntaxNode } from '../parser';
import { clientClass, SDK_MODULES, type ClientClass } from './sdks';

export interface ImportedClass {
  readonly cls: ClientClass;
  /** The `import_from_statement` that binds it. */
  readonly statement: SyntaxNode;
  /** The `dotted_name` of the imported name (inside `aliased_import` when aliased). */
  readonly importedName: SyntaxNode;
}

export interface SdkImports {
  /** Local name -> the SDK module it is bound to (`import openai as oa` binds "oa" to "openai"). */
  readonly modules: ReadonlyMap<string, string>;
  /** Local name -> the client class it is bound to. */
  readonly classes: ReadonlyMap<string, ImportedClass>;
}

export function readSdkImports(root: SyntaxNode): SdkImports {
  const modules = new Map<string, string>();
  const classes = new Map<string, ImportedClass>();
  for (const statement of root.namedChildren) {
    if (statement?.type === 'import_statement') {
      for (const name of statement.childrenForFieldName('name')) {
        const { imported, local } = importNames(name);
        if (imported !== undefined && SDK_MODULES.has(imported)) {
          // `import openai.types` binds "openai" too, which is all that matters here.
          modules.set(local ?? imported.split('.')[0]!, imported);
        }
      }
    } else if (statement?.type === 'import_from_statement') {
      const module = statement.childForFieldName('module_name')?.text;
      if (module === undefined || !SDK_MODULES.has(module)) {
        continue;
      }
      for (const name of statement.childrenForFieldName('name')) {
        const { imported, local, importedNode } = importNames(name);
        const cls = imported === undefined ? undefined : clientClass(module, imported);
        if (imported !== undefined && cls && importedNode) {
          classes.set(local ?? imported, { cls, statement, importedName: importedNode });
        }
      }
    }
  }
  return { modules, classes };
}

function importNames(node: SyntaxNode | null): { imported?: string | undefined; local?: string | undefined; importedNode?: SyntaxNode | undefined } {
  if (!node) {
    return {};
  }
  if (node.type === 'aliased_import') {
    const importedNode = node.childForFieldName('name') ?? undefined;
    return { imported: importedNode?.text, local: node.childForFieldName('alias')?.text, importedNode };
  }
  return { imported: node.text, importedNode: node };
}

/**
 * The client class an expression names (`AsyncOpenAI`, `Claude` for an aliased import, `openai.AsyncOpenAI`),
 * or undefined. Type annotations are unwrapped: `Annotated[AsyncOpenAI, Depends(...)]`, `AsyncOpenAI | None`,
 * `Optional[AsyncOpenAI]`.
 */
const WRAPPERS = new Set(['Annotated', 'Optional', 'Union']);

export function resolveClassReference(node: SyntaxNode | null, imports: SdkImports): { cls: ClientClass; reference: SyntaxNode } | undefined {
  if (!node) {
    return undefined;
  }
  switch (node.type) {
    case 'type':
      return resolveClassReference(node.namedChildren[0] ?? null, imports);
    case 'identifier': {
      const imported = imports.classes.get(node.text);
      return imported ? { cls: imported.cls, reference: node } : undefined;
    }
    case 'attribute': {
      const object = node.childForFieldName('object');
      const attribute = node.childForFieldName('attribute');
      const module = object?.type === 'identifier' ? imports.modules.get(object.text) : undefined;
      const cls = module && attribute ? clientClass(module, attribute.text) : undefined;
      return cls ? { cls, reference: node } : undefined;
    }
    case 'string':
      // A forward reference: "AsyncOpenAI".
      return undefined;
    case 'binary_operator': {
      // `AsyncOpenAI | None`
      return resolveClassReference(node.childForFieldName('left'), imports) ?? resolveClassReference(node.childForFieldName('right'), imports);
    }
    case 'generic_type':
    case 'subscript': {
      // `Annotated[AsyncOpenAI, Depends(get_client)]`, `Optional[AsyncOpenAI]`, `Union[AsyncOpenAI, None]`:
      // the first type argument. Containers (`list[AsyncOpenAI]`) are not a client.
      const generic = node.namedChildren[0];
      const genericName = generic?.type === 'attribute' ? generic.childForFieldName('attribute')?.text : generic?.text;
      if (genericName === undefined || !WRAPPERS.has(genericName)) {
        return undefined;
      }
      const args =
        node.type === 'subscript'
          ? node.childrenForFieldName('subscript')
          : (node.namedChildren.find((c) => c?.type === 'type_parameter')?.namedChildren ?? []);
      return resolveClassReference(args[0] ?? null, imports);
    }
    default:
      return undefined;
  }
}
