/**
 * A minimal hand-written protobuf encoder for the subset of ONNX `ModelProto`
 * that the model builders need: one graph, nodes with attributes, tensor
 * initializers (`raw_data`, or external data in a side file), graph inputs and
 * outputs with symbolic dimensions, and opset imports.
 *
 * Field numbers are those of `onnx/onnx.proto` (ONNX 1.14, IR version 8).
 * The encoding is deterministic: the same `OnnxModel` value always gives the
 * same bytes, so a seeded model file is byte-identical across runs.
 *
 * Wire format reminder: a field is `varint(fieldNumber << 3 | wireType)`
 * followed by the value; wire type 0 = varint, 2 = length-delimited (strings,
 * bytes, nested messages), 5 = fixed32 (float). Repeated scalars are written
 * unpacked (one tag per element), which every protobuf parser accepts.
 */
import { InvalidArgumentError } from '../errors.js';

/** ONNX `TensorProto.DataType` values used here. */
export const OnnxDataType = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  INT32: 6,
  INT64: 7,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
} as const;
/** One of the {@link OnnxDataType} codes. */
export type OnnxDataTypeCode = (typeof OnnxDataType)[keyof typeof OnnxDataType];

/** A tensor constant (initializer or attribute value). `data` holds the raw little-endian bytes. */
export interface OnnxTensor {
  /** Name (initializers are referenced by it). */
  name: string;
  /** Element type. */
  dataType: OnnxDataTypeCode;
  /** Shape; `[]` is a scalar. */
  dims: readonly number[];
  /** Raw little-endian element bytes (`raw_data`). */
  data: Uint8Array;
}

/** A node attribute value. Numbers are INT unless `float` is set; arrays are INTS unless `floats`. */
export type OnnxAttributeValue =
  | { int: number }
  | { float: number }
  | { string: string }
  | { ints: readonly number[] }
  | { floats: readonly number[] }
  | { tensor: OnnxTensor };

/** One graph node. */
export interface OnnxNode {
  /** Operator, e.g. `MatMul`. */
  opType: string;
  /** Input value names (`''` for an omitted optional input). */
  inputs: readonly string[];
  /** Output value names. */
  outputs: readonly string[];
  /** Unique node name (optional in ONNX, but helps error messages). */
  name?: string;
  /** Operator domain; `''` is the default ONNX domain. */
  domain?: string;
  /** Attributes by name, written in insertion order. */
  attributes?: Record<string, OnnxAttributeValue>;
}

/** A graph input or output: element type and shape, a dimension being a size or a symbolic name. */
export interface OnnxValueInfo {
  /** Value name. */
  name: string;
  /** Element type. */
  dataType: OnnxDataTypeCode;
  /** Dimensions: number = fixed size, string = symbolic (`batch_size`). */
  shape: ReadonlyArray<number | string>;
}

/** The model: one graph plus metadata. */
export interface OnnxModel {
  /** Graph name. */
  graphName: string;
  /** Nodes in topological order. */
  nodes: readonly OnnxNode[];
  /** Constant tensors. */
  initializers: readonly OnnxTensor[];
  /** Graph inputs (initializers are not listed here). */
  inputs: readonly OnnxValueInfo[];
  /** Graph outputs. */
  outputs: readonly OnnxValueInfo[];
  /** Opset imports; default `[{domain: '', version: 17}]`. */
  opsets?: ReadonlyArray<{ domain: string; version: number }>;
  /** IR version; default 8 (ONNX 1.10+, fine with opset 17). */
  irVersion?: number;
  /** `producer_name`; default `constrain`. */
  producerName?: string;
}

/** Options of {@link encodeOnnxModel}. */
export interface EncodeOptions {
  /**
   * Initializers of at least this many bytes go to an external data file
   * (`model.onnx.data` style) instead of inline `raw_data`. Needed only for
   * models over protobuf's 2 GiB message limit. Default: never.
   */
  externalDataThreshold?: number;
  /** Name of the external data file, relative to the model file. Default `model.onnx.data`. */
  externalDataFile?: string;
}

/** Bytes of an encoded model, plus the external data file's bytes when any tensor went there. */
export interface EncodedOnnxModel {
  /** The `.onnx` protobuf bytes. */
  model: Uint8Array;
  /** Contents of the external data file, or `null` when every tensor is inline. */
  externalData: Uint8Array | null;
  /** The external data file name used in the model (meaningful when `externalData` is set). */
  externalDataFile: string;
}

const enum Wire {
  Varint = 0,
  Fixed64 = 1,
  Bytes = 2,
  Fixed32 = 5,
}

const utf8 = new TextEncoder();

/**
 * Growable byte buffer with protobuf primitives. Nested messages are encoded
 * into their own writer first, then copied in with a length prefix.
 * @internal
 */
export class ProtoWriter {
  private buf: Uint8Array;
  private len = 0;
  private readonly view1 = new DataView(new ArrayBuffer(8));

  constructor(capacity = 256) {
    this.buf = new Uint8Array(capacity);
  }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  /** Writes an unsigned varint; negative numbers are written as 64-bit two's complement (10 bytes). */
  varint(value: number): this {
    if (!Number.isSafeInteger(value)) throw new InvalidArgumentError(`protobuf varint: ${value} is not a safe integer`);
    this.reserve(10);
    if (value < 0) {
      let v = BigInt.asUintN(64, BigInt(value));
      while (v >= 0x80n) {
        this.buf[this.len++] = Number(v & 0x7fn) | 0x80;
        v >>= 7n;
      }
      this.buf[this.len++] = Number(v);
      return this;
    }
    let v = value;
    while (v >= 0x80) {
      this.buf[this.len++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.len++] = v;
    return this;
  }

  /** Writes a field tag. */
  tag(field: number, wire: number): this {
    return this.varint(field * 8 + wire);
  }

  /** Writes an int64/int32/enum field (varint). */
  intField(field: number, value: number): this {
    return this.tag(field, Wire.Varint).varint(value);
  }

  /** Writes a float field (fixed32, little-endian). */
  floatField(field: number, value: number): this {
    this.tag(field, Wire.Fixed32);
    this.reserve(4);
    this.view1.setFloat32(0, value, true);
    for (let i = 0; i < 4; i++) this.buf[this.len++] = this.view1.getUint8(i);
    return this;
  }

  /** Writes a bytes field. */
  bytesField(field: number, bytes: Uint8Array): this {
    this.tag(field, Wire.Bytes).varint(bytes.length);
    this.reserve(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
    return this;
  }

  /** Writes a string field (UTF-8). */
  stringField(field: number, s: string): this {
    return this.bytesField(field, utf8.encode(s));
  }

  /** Writes a nested message field. */
  messageField(field: number, msg: ProtoWriter): this {
    return this.bytesField(field, msg.finish());
  }

  /** The bytes written so far (a view, not a copy). */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}

/** Encodes an `OperatorSetIdProto`. */
function encodeOpset(domain: string, version: number): ProtoWriter {
  const w = new ProtoWriter(32);
  if (domain) w.stringField(1, domain);
  w.intField(2, version);
  return w;
}

/** Where a tensor's bytes go: inline, or an (offset, length) in the external file. */
type Placement = { external: false } | { external: true; offset: number; length: number; file: string };

/** Encodes a `TensorProto`. */
function encodeTensor(t: OnnxTensor, place: Placement): ProtoWriter {
  const w = new ProtoWriter(place.external ? 128 : t.data.length + 64);
  for (const d of t.dims) w.intField(1, d);
  w.intField(2, t.dataType);
  w.stringField(8, t.name);
  if (!place.external) {
    w.bytesField(9, t.data);
  } else {
    const entry = (k: string, v: string): ProtoWriter => new ProtoWriter(32).stringField(1, k).stringField(2, v);
    w.messageField(13, entry('location', place.file));
    w.messageField(13, entry('offset', String(place.offset)));
    w.messageField(13, entry('length', String(place.length)));
    w.intField(14, 1); // data_location = EXTERNAL
  }
  return w;
}

/** AttributeProto.AttributeType codes. */
const enum AttrType {
  Float = 1,
  Int = 2,
  String = 3,
  Tensor = 4,
  Floats = 6,
  Ints = 7,
}

/** Encodes an `AttributeProto`. */
function encodeAttribute(name: string, value: OnnxAttributeValue): ProtoWriter {
  const w = new ProtoWriter(64);
  w.stringField(1, name);
  if ('int' in value) w.intField(3, value.int).intField(20, AttrType.Int);
  else if ('float' in value) w.floatField(2, value.float).intField(20, AttrType.Float);
  else if ('string' in value) w.stringField(4, value.string).intField(20, AttrType.String);
  else if ('ints' in value) {
    for (const v of value.ints) w.intField(8, v);
    w.intField(20, AttrType.Ints);
  } else if ('floats' in value) {
    for (const v of value.floats) w.floatField(7, v);
    w.intField(20, AttrType.Floats);
  } else {
    w.messageField(5, encodeTensor(value.tensor, { external: false })).intField(20, AttrType.Tensor);
  }
  return w;
}

/** Encodes a `NodeProto`. */
function encodeNode(n: OnnxNode): ProtoWriter {
  const w = new ProtoWriter(128);
  for (const i of n.inputs) w.stringField(1, i);
  for (const o of n.outputs) w.stringField(2, o);
  if (n.name) w.stringField(3, n.name);
  w.stringField(4, n.opType);
  if (n.attributes) for (const [k, v] of Object.entries(n.attributes)) w.messageField(5, encodeAttribute(k, v));
  if (n.domain) w.stringField(7, n.domain);
  return w;
}

/** Encodes a `ValueInfoProto` with a tensor type. */
function encodeValueInfo(v: OnnxValueInfo): ProtoWriter {
  const shape = new ProtoWriter(64);
  for (const d of v.shape) {
    const dim = new ProtoWriter(32);
    if (typeof d === 'number') dim.intField(1, d);
    else dim.stringField(2, d);
    shape.messageField(1, dim);
  }
  const tensorType = new ProtoWriter(64).intField(1, v.dataType).messageField(2, shape);
  const type = new ProtoWriter(64).messageField(1, tensorType);
  return new ProtoWriter(64).stringField(1, v.name).messageField(2, type);
}

/**
 * Encodes a model to ONNX protobuf bytes. Deterministic: equal inputs give
 * byte-identical outputs. Throws `InvalidArgumentError` when a node reads a
 * value that no input, initializer or earlier node defines (catching builder
 * bugs here with a name, rather than as an opaque ORT load failure).
 */
export function encodeOnnxModel(model: OnnxModel, options: EncodeOptions = {}): EncodedOnnxModel {
  checkGraph(model);
  const threshold = options.externalDataThreshold ?? Infinity;
  const file = options.externalDataFile ?? 'model.onnx.data';
  const graph = new ProtoWriter(1024);
  for (const n of model.nodes) graph.messageField(1, encodeNode(n));
  graph.stringField(2, model.graphName);
  const external: Uint8Array[] = [];
  let extLen = 0;
  for (const t of model.initializers) {
    if (t.data.length >= threshold) {
      // Align each tensor to 64 bytes, as onnx's external data helper does (lets ORT mmap).
      const pad = (64 - (extLen % 64)) % 64;
      if (pad) external.push(new Uint8Array(pad));
      extLen += pad;
      graph.messageField(5, encodeTensor(t, { external: true, offset: extLen, length: t.data.length, file }));
      external.push(t.data);
      extLen += t.data.length;
    } else {
      graph.messageField(5, encodeTensor(t, { external: false }));
    }
  }
  for (const v of model.inputs) graph.messageField(11, encodeValueInfo(v));
  for (const v of model.outputs) graph.messageField(12, encodeValueInfo(v));

  const m = new ProtoWriter(graph.finish().length + 256);
  m.intField(1, model.irVersion ?? 8);
  m.stringField(2, model.producerName ?? 'constrain');
  m.messageField(7, graph);
  for (const o of model.opsets ?? [{ domain: '', version: 17 }]) m.messageField(8, encodeOpset(o.domain, o.version));

  let externalData: Uint8Array | null = null;
  if (external.length) {
    externalData = new Uint8Array(extLen);
    let off = 0;
    for (const part of external) {
      externalData.set(part, off);
      off += part.length;
    }
  }
  return { model: m.finish(), externalData, externalDataFile: file };
}

/** Checks that every node input is defined before use and every output name is unique. */
function checkGraph(model: OnnxModel): void {
  const defined = new Set<string>(['']);
  for (const v of model.inputs) defined.add(v.name);
  for (const t of model.initializers) {
    if (defined.has(t.name)) throw new InvalidArgumentError(`onnx graph ${model.graphName}: initializer ${t.name} defined twice`);
    defined.add(t.name);
  }
  for (const n of model.nodes) {
    for (const i of n.inputs) {
      if (!defined.has(i)) throw new InvalidArgumentError(`onnx graph ${model.graphName}: node ${n.name ?? n.opType} reads undefined value ${i}`);
    }
    for (const o of n.outputs) {
      if (defined.has(o)) throw new InvalidArgumentError(`onnx graph ${model.graphName}: value ${o} defined twice (node ${n.name ?? n.opType})`);
      defined.add(o);
    }
  }
  for (const v of model.outputs) {
    if (!defined.has(v.name)) throw new InvalidArgumentError(`onnx graph ${model.graphName}: output ${v.name} is never computed`);
  }
}

/** Little-endian bytes of a Float32Array (a view when the platform is little-endian, which Node's are). */
export function float32Bytes(a: Float32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Little-endian bytes of int64 values given as numbers. */
export function int64Bytes(values: readonly number[]): Uint8Array {
  const a = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) a[i] = BigInt(values[i]!);
  return new Uint8Array(a.buffer);
}
