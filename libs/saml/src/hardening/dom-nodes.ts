import type { Element, Node } from '@xmldom/xmldom';

/**
 * DOM node type numbers (DOM Level 2). xmldom nodes carry them, but Node.js has no global `Node` to read them
 * from at run time, so the checks compare against these.
 */
export const NODE_TYPE = {
  element: 1,
  attribute: 2,
  text: 3,
  cdata: 4,
  processingInstruction: 7,
  comment: 8,
  document: 9,
  documentType: 10,
} as const;

/** Narrows a node to an element without a cast at each call site. */
export function isElement(node: Node): node is Element {
  return node.nodeType === NODE_TYPE.element;
}

/** The element children of a node, in document order (xmldom has no `children`). */
export function childElements(node: Node): Element[] {
  const elements: Element[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) {
    if (isElement(child)) elements.push(child);
  }
  return elements;
}

/**
 * Every element below `root` and `root` itself, in document order. Iterative, so a deeply nested document cannot
 * overflow the stack (the size caps bound the work).
 */
export function allElements(root: Element): Element[] {
  const elements: Element[] = [];
  const stack: Element[] = [root];
  for (let element = stack.pop(); element; element = stack.pop()) {
    elements.push(element);
    for (const child of childElements(element).reverse()) stack.push(child);
  }
  return elements;
}
