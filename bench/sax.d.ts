// sax is only a benchmark baseline (batchwire reads XML with its own scanner): the little the bench uses.
declare module 'sax' {
  interface SAXOptions {
    xmlns?: boolean;
    strictEntities?: boolean;
    position?: boolean;
  }
  interface SAXParser {
    onopentag: (tag: unknown) => void;
    onclosetag: (name: string) => void;
    ontext: (text: string) => void;
    write(text: string): SAXParser;
    close(): SAXParser;
  }
  const sax: { parser(strict: boolean, options: SAXOptions): SAXParser };
  export default sax;
  export type { SAXOptions, SAXParser };
}
