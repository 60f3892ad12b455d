import { describe, expect, test } from 'vitest';
import { GraphBuilder } from '../../src/decode/graph.js';
import { encodeOnnxModel, OnnxDataType, ProtoWriter } from '../../src/decode/onnx-writer.js';
import { InvalidArgumentError } from '../../src/errors.js';
import ort from 'onnxruntime-node';

/** A minimal independent protobuf reader: field number → list of raw values (bigint varints, Uint8Array, or fixed32 bytes). */
type Field = bigint | Uint8Array;
function readProto(buf: Uint8Array): Map<number, Field[]> {
  const out = new Map<number, Field[]>();
  let p = 0;
  const varint = (): bigint => {
    let v = 0n, shift = 0n;
    for (;;) {
      const b = buf[p++]!;
      v |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
      shift += 7n;
    }
  };
  while (p < buf.length) {
    const tag = Number(varint());
    const field = tag >>> 3, wire = tag & 7;
    let val: Field;
    if (wire === 0) val = varint();
    else if (wire === 2) {
      const n = Number(varint());
      val = buf.subarray(p, p + n);
      p += n;
    } else if (wire === 5) {
      val = buf.subarray(p, p + 4);
      p += 4;
    } else throw new Error(`wire type ${wire}`);
    if (!out.has(field)) out.set(field, []);
    out.get(field)!.push(val);
  }
  return out;
}
const str = (f: Field | undefined): string => new TextDecoder().decode(f as Uint8Array);

describe('ProtoWriter', () => {
  test('varints, negatives as 10-byte two\'s complement, floats little-endian', () => {
    expect(Array.from(new ProtoWriter().varint(300).finish())).toEqual([0xac, 0x02]);
    expect(Array.from(new ProtoWriter().varint(-1).finish())).toEqual([...new Array(9).fill(0xff), 0x01]);
    expect(Array.from(new ProtoWriter().floatField(2, 1).finish())).toEqual([0x15, 0, 0, 0x80, 0x3f]);
    expect(() => new ProtoWriter().varint(2 ** 60)).toThrow(InvalidArgumentError);
  });
});

describe('encodeOnnxModel', () => {
  const g = new GraphBuilder();
  const x = g.input('x', OnnxDataType.FLOAT, ['batch', 3]);
  const w = g.weight('w', [3], Float32Array.from([1, 2, 3]));
  const y = g.op('Mul', [x, w]);
  const r = g.op('ReduceSum', [y, g.int64([-1])], { keepdims: 0 });
  const e = g.op('Elu', [r], { alpha: { float: 0.5 } });
  g.output('y', e, OnnxDataType.FLOAT, ['batch']);
  const model = g.build('tiny');

  test('field layout read back by an independent decoder', () => {
    const bytes = encodeOnnxModel(model).model;
    const m = readProto(bytes);
    expect(m.get(1)).toEqual([8n]); // ir_version
    const opset = readProto(m.get(8)![0] as Uint8Array);
    expect(opset.get(2)).toEqual([17n]);
    const graph = readProto(m.get(7)![0] as Uint8Array);
    expect(str(graph.get(2)![0])).toBe('tiny');
    const nodes = graph.get(1)!.map((n) => readProto(n as Uint8Array));
    expect(nodes.map((n) => str(n.get(4)![0]))).toEqual(['Mul', 'ReduceSum', 'Elu', 'Identity']);
    const alpha = readProto(nodes[2]!.get(5)![0] as Uint8Array);
    expect(str(alpha.get(1)![0])).toBe('alpha');
    expect(new DataView((alpha.get(2)![0] as Uint8Array).slice().buffer).getFloat32(0, true)).toBe(0.5);
    expect(alpha.get(20)).toEqual([1n]); // FLOAT
    const inits = graph.get(5)!.map((t) => readProto(t as Uint8Array));
    const neg = inits.find((t) => str(t.get(8)![0]).startsWith('const.i64'))!;
    expect(new BigInt64Array((neg.get(9)![0] as Uint8Array).slice().buffer)[0]).toBe(-1n);
    const input = readProto(graph.get(11)![0] as Uint8Array);
    const tensorType = readProto(readProto(input.get(2)![0] as Uint8Array).get(1)![0] as Uint8Array);
    const dims = readProto(tensorType.get(2)![0] as Uint8Array).get(1)!.map((d) => readProto(d as Uint8Array));
    expect(str(dims[0]!.get(2)![0])).toBe('batch');
    expect(dims[1]!.get(1)).toEqual([3n]);
  });

  test('deterministic, and onnxruntime runs it', async () => {
    const a = encodeOnnxModel(model).model, b = encodeOnnxModel(model).model;
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    const s = await ort.InferenceSession.create(a);
    const out = await s.run({ x: new ort.Tensor('float32', Float32Array.from([1, 1, 1, -1, -1, 0]), [2, 3]) });
    const yv = out.y!.data as Float32Array;
    expect(yv[0]).toBeCloseTo(6);
    expect(yv[1]).toBeCloseTo(0.5 * (Math.exp(-3) - 1), 5);
  });

  test('undefined inputs and duplicate names are caught with the node name', () => {
    const bad = { ...model, nodes: [...model.nodes, { opType: 'Relu', inputs: ['nope'], outputs: ['z'], name: 'relu1' }] };
    expect(() => encodeOnnxModel(bad)).toThrow(/node relu1 reads undefined value nope/);
    const dup = { ...model, nodes: [...model.nodes, { opType: 'Relu', inputs: ['x'], outputs: ['y'], name: 'r2' }] };
    expect(() => encodeOnnxModel(dup)).toThrow(/value y defined twice/);
  });
});
