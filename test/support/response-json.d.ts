// Tests read JSON bodies loosely and assert on their shape; production code parses `unknown`.
declare global {
  interface Body {
    json(): Promise<any>;
  }
  interface Response {
    json(): Promise<any>;
  }
}
export {};
