/** A small element builder. Strings always become text nodes: nothing here parses HTML. */

export interface Props {
  readonly className?: string;
  readonly text?: string;
  readonly title?: string;
  readonly attrs?: Readonly<Record<string, string>>;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: ReadonlyArray<Node | string>): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (props.className !== undefined) {
    element.className = props.className;
  }
  if (props.title !== undefined) {
    element.title = props.title;
  }
  for (const [name, value] of Object.entries(props.attrs ?? {})) {
    element.setAttribute(name, value);
  }
  if (props.text !== undefined) {
    element.textContent = props.text;
  }
  element.append(...children);
  return element;
}

/** A codicon glyph (the font comes from @vscode/codicons, bundled with the webview's CSS). */
export function icon(name: string): HTMLElement {
  return h('span', { className: `codicon codicon-${name}`, attrs: { 'aria-hidden': 'true' } });
}

export function button(label: string, iconName: string, onClick: () => void, title = label): HTMLButtonElement {
  // aria-label: the name stays when a narrow panel shows the icon only (preview.css).
  const b = h('button', { className: 'button', title, attrs: { type: 'button', 'aria-label': label } }, icon(iconName), h('span', { text: label }));
  b.addEventListener('click', onClick);
  return b;
}

export function formatMs(ms: number | null): string {
  if (ms === null) {
    return '–';
  }
  // Thresholds at the rounding points, so 999.7 ms reads "1.000 s", not "1000 ms".
  return ms >= 9_999.95
    ? `${(ms / 1000).toFixed(1)} s`
    : ms >= 999.5
      ? `${(ms / 1000).toFixed(3)} s`
      : ms >= 99.95
        ? `${Math.round(ms)} ms`
        : `${ms.toFixed(1)} ms`;
}

export function formatSize(chars: number): string {
  return chars >= 1024 * 1024 ? `${(chars / (1024 * 1024)).toFixed(1)} MB` : chars >= 1024 ? `${(chars / 1024).toFixed(1)} KB` : `${chars} B`;
}

/**
 * Sets an element's text only when it differs: an unchanged write still invalidates layout. Takes an indexed
 * child as it comes (`children[i]`, undefined past the end) so callers need no assertion.
 */
export function setText(element: Element | undefined, text: string): void {
  if (element !== undefined && element.textContent !== text) {
    element.textContent = text;
  }
}

const builtKeys = new WeakMap<Element, string>();

/**
 * Replaces an element's children with `build()` only when `key` (a summary of what they show) changed since the
 * last call. Sections that rarely change then cost nothing per frame, even at 20,000 events/s.
 */
export function rebuild(element: Element, key: string, build: () => readonly Node[]): void {
  if (builtKeys.get(element) === key) {
    return;
  }
  builtKeys.set(element, key);
  element.replaceChildren(...build());
}
