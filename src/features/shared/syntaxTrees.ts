/**
 * One tree-sitter parser and syntax tree per open Python document, kept up to date incrementally: each
 * change is recorded on the old tree with `tree.edit` as it happens, and the next read re-parses with the
 * edited tree, so tree-sitter reuses everything the change did not touch.
 */
import * as vscode from 'vscode';
import type { Parser } from 'web-tree-sitter';
import { findLlmCalls, type LlmCall } from '../../core/python/llm/detect';
import { treeEditFor } from '../../core/python/llm/incremental';
import { createPythonParser, type Tree } from '../../core/python/parser';
import { Disposable } from './dispose';

interface Entry {
  readonly parser: Parser;
  tree: Tree | undefined;
  /** The document version the tree was parsed from; stale once the document changes. */
  parsedVersion: number;
  /** Set when a change could not be mirrored on the tree: the next read parses from scratch. */
  fullReparse: boolean;
  /** The LLM calls found on `tree`, once asked for; dropped with the tree. */
  calls: readonly LlmCall[] | undefined;
}

export class SyntaxTrees extends Disposable {
  private readonly entries = new Map<string, Entry>();

  constructor() {
    super();
    this._register(vscode.workspace.onDidChangeTextDocument((event) => this.recordChanges(event)));
    this._register(vscode.workspace.onDidCloseTextDocument((document) => this.forget(document.uri)));
    // Trees and parsers live in wasm memory, not the garbage-collected heap: free them with the cache.
    this._register({ dispose: () => [...this.entries.keys()].forEach((uri) => this.forget(vscode.Uri.parse(uri))) });
  }

  /** The document's current tree (parsed now if it is stale). Do not keep it: the next change edits it. */
  async treeFor(document: vscode.TextDocument): Promise<Tree> {
    const key = document.uri.toString();
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { parser: await createPythonParser(), tree: undefined, parsedVersion: -1, fullReparse: true, calls: undefined };
      // Another caller may have created it while the parser loaded.
      const raced = this.entries.get(key);
      if (raced) {
        entry.parser.delete();
        entry = raced;
      } else {
        this.entries.set(key, entry);
      }
    }
    if (entry.tree && entry.parsedVersion === document.version) {
      return entry.tree;
    }
    const old = entry.fullReparse ? undefined : entry.tree;
    const tree = entry.parser.parse(document.getText(), old ?? null);
    if (!tree) {
      throw new Error(`tree-sitter returned no tree for ${document.uri.toString()}`);
    }
    entry.tree?.delete();
    entry.tree = tree;
    entry.calls = undefined;
    entry.parsedVersion = document.version;
    entry.fullReparse = false;
    return tree;
  }

  /**
   * The document's tree and the LLM calls on it, found once per document version: the diagnostics and the
   * code actions of one version share them. Do not keep either: the next change edits the tree.
   */
  async llmCallsFor(document: vscode.TextDocument): Promise<{ readonly tree: Tree; readonly calls: readonly LlmCall[] }> {
    const tree = await this.treeFor(document);
    const entry = this.entries.get(document.uri.toString());
    if (entry?.tree !== tree) {
      return { tree, calls: findLlmCalls(tree) };
    }
    entry.calls ??= findLlmCalls(tree);
    return { tree, calls: entry.calls };
  }

  forget(uri: vscode.Uri): void {
    const entry = this.entries.get(uri.toString());
    if (entry) {
      entry.tree?.delete();
      entry.parser.delete();
      this.entries.delete(uri.toString());
    }
  }

  private recordChanges(event: vscode.TextDocumentChangeEvent): void {
    const entry = this.entries.get(event.document.uri.toString());
    if (!entry?.tree || event.contentChanges.length === 0) {
      return;
    }
    // Several changes in one event are all relative to the text before it; mirroring them one by one
    // would need them re-sorted and shifted. They are rare (multi-cursor edits): parse afresh instead.
    const [change] = event.contentChanges;
    if (event.contentChanges.length > 1 || !change || entry.fullReparse) {
      entry.fullReparse = true;
      return;
    }
    entry.tree.edit(
      treeEditFor({
        rangeOffset: change.rangeOffset,
        rangeLength: change.rangeLength,
        start: change.range.start,
        end: change.range.end,
        text: change.text,
      }),
    );
  }
}
