/**
 * A small builder for ONNX graphs: names values automatically, collects
 * nodes and initializers, and hands an {@link OnnxModel} to the writer.
 */
import {
  OnnxDataType,
  float32Bytes,
  int64Bytes,
  type OnnxAttributeValue,
  type OnnxDataTypeCode,
  type OnnxModel,
  type OnnxNode,
  type OnnxTensor,
  type OnnxValueInfo,
} from './onnx-writer.js';

/** Attribute shorthand: a number is INT, a number[] is INTS; use `{float}` / `{floats}` for floats. */
export type AttrInput = number | readonly number[] | OnnxAttributeValue;

/** Builds one ONNX graph. Value names are `<prefix>/<op>_<n>` unless given. */
export class GraphBuilder {
  private readonly nodes: OnnxNode[] = [];
  private readonly inits: OnnxTensor[] = [];
  private readonly consts = new Map<string, string>();
  private readonly inputs: OnnxValueInfo[] = [];
  private readonly outputs: OnnxValueInfo[] = [];
  private counter = 0;
  /** Prefix for generated names (e.g. `layers.3`), set by the caller while building a block. */
  scope = '';

  /** Declares a graph input and returns its name. */
  input(name: string, dataType: OnnxDataTypeCode, shape: ReadonlyArray<number | string>): string {
    this.inputs.push({ name, dataType, shape });
    return name;
  }

  /** Declares a graph output; `value` is renamed to `name` with an Identity node when they differ. */
  output(name: string, value: string, dataType: OnnxDataTypeCode, shape: ReadonlyArray<number | string>): void {
    if (value !== name) this.nodes.push({ opType: 'Identity', inputs: [value], outputs: [name], name: `${name}/Identity` });
    this.outputs.push({ name, dataType, shape });
  }

  /** Adds a float32 initializer. */
  weight(name: string, dims: readonly number[], data: Float32Array): string {
    this.inits.push({ name, dataType: OnnxDataType.FLOAT, dims, data: float32Bytes(data) });
    return name;
  }

  /** Adds an initializer with raw bytes of any type. */
  tensor(name: string, dataType: OnnxDataTypeCode, dims: readonly number[], data: Uint8Array): string {
    this.inits.push({ name, dataType, dims, data });
    return name;
  }

  /** An int64 constant (deduplicated); `scalar` gives a 0-d tensor. */
  int64(values: readonly number[], scalar = false): string {
    const key = `i64:${scalar ? 's' : 'v'}:${values.join(',')}`;
    let name = this.consts.get(key);
    if (!name) {
      name = `const.i64.${this.consts.size}`;
      this.inits.push({ name, dataType: OnnxDataType.INT64, dims: scalar ? [] : [values.length], data: int64Bytes(values) });
      this.consts.set(key, name);
    }
    return name;
  }

  /** A float32 scalar constant (deduplicated). */
  float(value: number): string {
    const key = `f32:${Object.is(value, -0) ? '-0' : value}`;
    let name = this.consts.get(key);
    if (!name) {
      name = `const.f32.${this.consts.size}`;
      this.inits.push({ name, dataType: OnnxDataType.FLOAT, dims: [], data: float32Bytes(new Float32Array([value])) });
      this.consts.set(key, name);
    }
    return name;
  }

  /** Adds a node with one output and returns the output name. */
  op(opType: string, inputs: readonly string[], attrs?: Record<string, AttrInput>, outName?: string): string {
    return this.opN(opType, inputs, 1, attrs, outName ? [outName] : undefined)[0]!;
  }

  /** Adds a node with `nOut` outputs and returns their names. */
  opN(opType: string, inputs: readonly string[], nOut: number, attrs?: Record<string, AttrInput>, outNames?: readonly string[]): string[] {
    const id = this.counter++;
    const base = `${this.scope ? this.scope + '/' : ''}${opType}_${id}`;
    const outputs = outNames ? [...outNames] : Array.from({ length: nOut }, (_, i) => (nOut === 1 ? base : `${base}:${i}`));
    const attributes: Record<string, OnnxAttributeValue> = {};
    if (attrs) {
      for (const [k, v] of Object.entries(attrs)) {
        if (typeof v === 'number') attributes[k] = { int: v };
        else if (Array.isArray(v)) attributes[k] = { ints: v as readonly number[] };
        else attributes[k] = v as OnnxAttributeValue;
      }
    }
    this.nodes.push({ opType, inputs, outputs, name: base, attributes: attrs ? attributes : undefined });
    return outputs;
  }

  /** The finished model. */
  build(graphName: string, opsetVersion = 17): OnnxModel {
    return {
      graphName,
      nodes: this.nodes,
      initializers: this.inits,
      inputs: this.inputs,
      outputs: this.outputs,
      opsets: [{ domain: '', version: opsetVersion }],
    };
  }
}
