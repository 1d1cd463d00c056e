/**
 * DOM helpers for the panel: text only, never HTML. Every string from the host is set with
 * textContent or as an attribute value, so file names are shown as text and never parsed as markup.
 */
export type Child = Node | string | null | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) if (value !== undefined) element.setAttribute(name, value);
  append(element, children);
  return element;
}

const svgNs = 'http://www.w3.org/2000/svg';

export function svg(tag: string, attributes: Record<string, string | number | undefined> = {}, ...children: Child[]): SVGElement {
  const element = document.createElementNS(svgNs, tag);
  for (const [name, value] of Object.entries(attributes)) if (value !== undefined) element.setAttribute(name, String(value));
  append(element, children);
  return element;
}

export function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

export function icon(name: string, label?: string): HTMLElement {
  return el('span', {
    class: `codicon codicon-${name}`,
    'aria-hidden': label ? undefined : 'true',
    'aria-label': label,
    role: label ? 'img' : undefined,
  });
}

export interface ButtonOptions {
  readonly icon?: string;
  readonly title?: string;
  readonly primary?: boolean;
  readonly disabled?: boolean;
  readonly id?: string;
}

export function button(label: string, onClick: () => void, options: ButtonOptions = {}): HTMLButtonElement {
  const result = el(
    'button',
    { type: 'button', class: options.primary ? 'button primary' : 'button', title: options.title, id: options.id },
    options.icon ? icon(options.icon) : null,
    label,
  );
  result.disabled = options.disabled ?? false;
  result.addEventListener('click', onClick);
  return result;
}

/** Sets text only when it changed, so an update does not disturb selection, focus or screen readers. */
export function setText(node: Node, text: string): void {
  if (node.textContent !== text) node.textContent = text;
}

/** Sets an attribute only when it changed. */
export function setAttribute(element: Element, name: string, value: string | null): void {
  if (value === null) {
    if (element.hasAttribute(name)) element.removeAttribute(name);
  } else if (element.getAttribute(name) !== value) {
    element.setAttribute(name, value);
  }
}

/**
 * Remembers the last value a part of the page was drawn from, so a state snapshot that did not change
 * that part leaves its DOM alone (the host sends full snapshots; most of them change one number).
 */
export class ChangeGate {
  private last: string | undefined;

  /** True when `value` differs from the last one seen (compared as JSON). */
  changed(value: unknown): boolean {
    const key = JSON.stringify(value);
    if (key === this.last) return false;
    this.last = key;
    return true;
  }
}
