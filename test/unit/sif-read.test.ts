import { describe, expect, it } from 'vitest';
import { SIF_ERROR_TEXT } from '../../src/sif/sif-codes.js';
import { sifError } from '../../src/sif/sif-error.js';
import { decodeSif } from '../../src/sif/sif-codec.js';
import { originalIds } from '../../src/sif/sif-read.js';
import { writeSifMessage } from '../../src/sif/sif-write.js';
import { everyMessage } from '../support/sif-samples.js';

/** Decodes a JSON-form document after `change` edits it; returns the SIF_Error. */
function errorAfter(sample: string, change: (message: any) => void) {
  const document = writeSifMessage(everyMessage()[sample]!) as any;
  change(document.SIF_Message);
  const result = decodeSif(JSON.stringify(document), 'json');
  if (result.kind === 'ok') throw new Error('expected an error');
  return result;
}

describe('reading SIF messages', () => {
  it('names a missing mandatory element 1/6 and keeps the original ids for the ack', () => {
    const result = errorAfter('registerPush', (m) => delete m.SIF_Register.SIF_Mode);
    expect(result.error).toMatchObject({ category: 1, code: 6, desc: 'Missing mandatory element/attribute' });
    expect(result.error.extendedDesc).toContain('SIF_Mode');
    expect(result.original.msgId).toMatch(/^[0-9A-F]{32}$/);
    expect(result.original.sourceId).toBe('SIS-AGENT');
  });

  it('refuses invalid values with 1/4', () => {
    expect(errorAfter('ping', (m) => (m.SIF_SystemControl.SIF_Header.SIF_MsgId = 'abc')).error).toMatchObject({ category: 1, code: 4 });
    expect(errorAfter('registerPull', (m) => (m.SIF_Register.SIF_Mode = 'Poll')).error).toMatchObject({ category: 1, code: 4 });
    expect(errorAfter('request', (m) => (m.SIF_Request.SIF_MaxBufferSize = '-1')).error).toMatchObject({ category: 1, code: 4 });
    expect(errorAfter('eventAdd', (m) => (m.SIF_Event.SIF_ObjectData.SIF_EventObject['@Action'] = 'Upsert')).error).toMatchObject({ category: 1, code: 4 });
    expect(errorAfter('ackImmediate', (m) => (m.SIF_Ack.SIF_Status.SIF_Code = '5')).error).toMatchObject({ category: 1, code: 4 });
  });

  it('refuses other structures with 1/3, other versions with 12/3, services with 12/2', () => {
    expect(errorAfter('ping', (m) => (m.SIF_Nonsense = '')).error).toMatchObject({ category: 1, code: 3 });
    expect(errorAfter('ping', (m) => (m['@Version'] = '3.0')).error).toMatchObject({ category: 12, code: 3 });
    expect(
      errorAfter('ping', (m) => {
        m.SIF_ServiceInput = m.SIF_SystemControl;
        delete m.SIF_SystemControl;
      }).error,
    ).toMatchObject({ category: 12, code: 2 });
    expect(errorAfter('ping', (m) => (m.SIF_SystemControl.SIF_SystemControlData = { SIF_Reboot: '' })).error).toMatchObject({ category: 1, code: 3 });
  });

  it('refuses an event whose object does not match its ObjectName with 9/3', () => {
    const result = errorAfter('eventAdd', (m) => (m.SIF_Event.SIF_ObjectData.SIF_EventObject['@ObjectName'] = 'SchoolInfo'));
    expect(result.error).toMatchObject({ category: 9, code: 3 });
  });

  it('reads ids of an unreadable message as null', () => {
    expect(originalIds(undefined)).toEqual({ msgId: null, sourceId: null });
    expect(originalIds({ SIF_Message: { SIF_Ack: { SIF_Header: { SIF_MsgId: 'x' } } } })).toEqual({ msgId: null, sourceId: null });
  });

  it('has the specification texts for the codes it uses', () => {
    expect(sifError(6, 4).desc).toBe('Object already has a provider');
    expect(sifError(4, 12).desc).toBe('No permission to publish SIF_Event Delete');
    expect(sifError(8, 4).desc).toBe('No provider');
    expect(sifError(11, 42).desc).toContain('System');
    expect(() => sifError(6, 99)).toThrow();
    expect(Object.keys(SIF_ERROR_TEXT)).toHaveLength(15);
  });
});
