/** The parts of the untyped `radius` package (1.1.4) this project uses. */
declare module 'radius' {
  interface DecodedPacket {
    code: string;
    identifier: number;
    length: number;
    authenticator: Buffer;
    attributes: Record<string, unknown>;
    raw_attributes: Array<[number, Buffer]>;
  }
  interface RadiusModule {
    decode(args: { packet: Buffer; secret: string }): DecodedPacket;
    decode_without_secret(args: { packet: Buffer }): DecodedPacket;
    encode(args: { code: string; identifier?: number; secret: string; attributes?: Array<[string | number, unknown]>; add_message_authenticator?: boolean }): Buffer;
    encode_response(args: { packet: DecodedPacket; code: string; secret: string; attributes?: unknown[] }): Buffer;
    add_dictionary(path: string): void;
  }
  const radius: RadiusModule;
  export default radius;
}
