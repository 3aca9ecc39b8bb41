/**
 * Builds JUMBF boxes and C2PA manifest stores byte for byte (ISO/IEC 19566-5 box layout, C2PA 2.1
 * §11.1 store layout), for tests and fixtures: no C2PA tool installs here (see the fixtures'
 * SOURCES.md entry). The stores carry a claim and a signature box so that they look like real ones,
 * but the signature is a placeholder: nothing here signs or validates.
 */
import { encode } from 'cbor2';
import { concatBytes } from '../xmp/builders.js';
import { C2PA_UUID } from './jumbf.js';

function be32(n: number): Uint8Array {
  return new Uint8Array([(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
}

/** A box: LBox, TBox, payload. `declaredLength` overrides LBox (to lie). */
export function jumbfBox(type: string, payload: Uint8Array | string, declaredLength?: number): Uint8Array {
  const p = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload;
  return concatBytes(be32(declaredLength ?? 8 + p.length), type, p);
}

/** A description box: UUID, toggles (requestable + label when a label is given), label. */
export function jumdBox(uuid: string, label?: string): Uint8Array {
  const toggles = label !== undefined ? 0x03 : 0x00;
  return jumbfBox('jumd', concatBytes(Buffer.from(uuid, 'hex'), new Uint8Array([toggles]), label !== undefined ? `${label}\0` : ''));
}

/** A superbox: description, then children. */
export function superbox(uuid: string, label: string | undefined, children: Uint8Array[]): Uint8Array {
  return jumbfBox('jumb', concatBytes(jumdBox(uuid, label), ...children));
}

/** A CBOR content box. */
export function cborBox(value: unknown): Uint8Array {
  return jumbfBox('cbor', encode(value));
}

export interface AssertionSpec {
  label: string;
  /** Encoded as CBOR (or JSON with `json: true`). */
  value?: unknown;
  /** Raw content-box payload instead of `value` (hostile CBOR). */
  raw?: Uint8Array;
  json?: boolean;
}

export interface ManifestSpec {
  label: string;
  assertions: AssertionSpec[];
}

const CLAIM_UUID = '6332636c00110010800000aa00389b71';
const SIGNATURE_UUID = '6332637300110010800000aa00389b71';

/** A C2PA manifest store holding the given manifests (the last one is the active manifest). */
export function manifestStore(manifests: ManifestSpec[]): Uint8Array {
  return superbox(
    C2PA_UUID.store,
    'c2pa',
    manifests.map((m) => {
      const assertions = m.assertions.map((a) => {
        const content = a.raw ? jumbfBox('cbor', a.raw) : a.json ? jumbfBox('json', JSON.stringify(a.value)) : cborBox(a.value);
        return superbox(a.json ? C2PA_UUID.json : C2PA_UUID.cbor, a.label, [content]);
      });
      const claim = superbox(CLAIM_UUID, 'c2pa.claim', [cborBox({ 'claim_generator': 'clearance-test-fixture/1.0', 'signature': `self#jumbf=/c2pa/${m.label}/c2pa.signature`, 'assertions': m.assertions.map((a) => ({ url: `self#jumbf=c2pa.assertions/${a.label}` })), 'dc:format': 'image/jpeg' })]);
      const signature = superbox(SIGNATURE_UUID, 'c2pa.signature', [cborBox({ note: 'placeholder, not a COSE signature' })]);
      return superbox(C2PA_UUID.manifest, m.label, [superbox(C2PA_UUID.assertions, 'c2pa.assertions', assertions), claim, signature]);
    }),
  );
}

/** The CAWG specification's example assertion (cawg_training-mining_spec-example.cbordiag), as a value. */
export const CAWG_SPEC_EXAMPLE = {
  entries: {
    'cawg.ai_training': { use: 'allowed' },
    'cawg.ai_generative_training': { use: 'notAllowed' },
    'cawg.data_mining': { use: 'constrained', constraint_info: "may only be mined on days whose names end in 'y'" },
  },
};
