// Types for the parts of @xmldom/xmldom 0.8 the SAML facade uses. The package's own typings pull in TypeScript's
// DOM library (`/// <reference lib="dom" />`), whose global Crypto and BufferSource clash with Node's WebCrypto
// types everywhere else; tsconfig `paths` points the compiler here instead (types only: the runtime is the package).

export interface XmlNode {
  readonly nodeType: number;
  readonly nodeName: string;
  readonly localName: string | null;
  readonly namespaceURI: string | null;
  readonly prefix: string | null;
  readonly parentNode: XmlNode | null;
  readonly firstChild: XmlNode | null;
  readonly lastChild: XmlNode | null;
  readonly nextSibling: XmlNode | null;
  readonly previousSibling: XmlNode | null;
  readonly childNodes: XmlNodeList<XmlNode>;
  readonly ownerDocument: XmlDocument | null;
  textContent: string | null;
  nodeValue: string | null;
  data?: string;
  appendChild<T extends XmlNode>(node: T): T;
  removeChild<T extends XmlNode>(node: T): T;
  insertBefore<T extends XmlNode>(node: T, child: XmlNode | null): T;
  cloneNode(deep?: boolean): XmlNode;
}

export interface XmlNodeList<T> {
  readonly length: number;
  item(index: number): T | null;
  [index: number]: T;
}

export interface XmlAttr extends XmlNode {
  readonly name: string;
  value: string;
}

export interface XmlElement extends XmlNode {
  readonly tagName: string;
  readonly attributes: XmlNodeList<XmlAttr>;
  getAttribute(name: string): string | null;
  getAttributeNS(namespace: string | null, localName: string): string | null;
  getAttributeNode(name: string): XmlAttr | null;
  hasAttribute(name: string): boolean;
  setAttribute(name: string, value: string): void;
  setAttributeNS(namespace: string | null, name: string, value: string): void;
  removeAttribute(name: string): void;
  getElementsByTagName(name: string): XmlNodeList<XmlElement>;
  getElementsByTagNameNS(namespace: string | null, localName: string): XmlNodeList<XmlElement>;
}

export interface XmlDocument extends XmlNode {
  readonly documentElement: XmlElement | null;
  readonly doctype: XmlNode | null;
  getElementsByTagName(name: string): XmlNodeList<XmlElement>;
  getElementsByTagNameNS(namespace: string | null, localName: string): XmlNodeList<XmlElement>;
  getElementById(id: string): XmlElement | null;
  createElementNS(namespace: string | null, qualifiedName: string): XmlElement;
  createElement(tagName: string): XmlElement;
  createTextNode(data: string): XmlNode;
  createComment(data: string): XmlNode;
  importNode<T extends XmlNode>(node: T, deep?: boolean): T;
}

export type Node = XmlNode;
export type Element = XmlElement;
export type Document = XmlDocument;
export type Attr = XmlAttr;

export type ErrorLevel = 'warning' | 'error' | 'fatalError';
export type ErrorHandlerFunction = (level: ErrorLevel, message: string) => void;
export interface ErrorHandlerObject {
  warning?: (message: string) => void;
  error?: (message: string) => void;
  fatalError?: (message: string) => void;
}

export interface Options {
  locator?: object;
  xmlns?: Record<string, string | null | undefined>;
  errorHandler?: ErrorHandlerFunction | ErrorHandlerObject;
}

export class DOMParser {
  constructor(options?: Options);
  parseFromString(source: string, mimeType: string): XmlDocument;
}

export class XMLSerializer {
  serializeToString(node: XmlNode): string;
}

export class DOMImplementation {
  createDocument(namespace: string | null, qualifiedName: string | null, doctype?: XmlNode | null): XmlDocument;
}
