import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iterateSyntheticDistrict, syntheticDescriptorUris } from '../../src/seed/synthetic-district.js';
import { startEdfiNode } from '../support/edfi-app.js';

let node: Awaited<ReturnType<typeof startEdfiNode>>;

beforeAll(async () => {
  node = await startEdfiNode();
});

afterAll(async () => {
  await node?.close();
});

describe('Ed-Fi API with the synthetic district', () => {
  it('serves every standard descriptor value the synthetic district uses', async () => {
    const missing: string[] = [];
    for (const uri of syntheticDescriptorUris()) {
      const [namespace, codeValue] = uri.split('#') as [string, string];
      const resource = `${namespace.split('/').pop()!.replace(/^./, (c) => c.toLowerCase())}s`;
      const response = await node.app.inject({ method: 'GET', url: `/data/v3/ed-fi/${resource}`, query: { namespace, codeValue } });
      if (response.statusCode !== 200 || JSON.parse(response.body).length !== 1) missing.push(uri);
    }
    expect(missing).toEqual([]);
  });

  it('accepts every document of a 20-student district, in dependency order, as created', async () => {
    const failures: string[] = [];
    let count = 0;
    for (const record of iterateSyntheticDistrict({ students: 20, district: { ncesId: '0499901', name: 'Test USD', state: 'AZ' } })) {
      const response = await node.app.inject({ method: 'POST', url: `/data/v3/${record.project}/${record.resource}`, payload: record.document });
      count += 1;
      if (response.statusCode !== 201) failures.push(`${record.resource} ${response.statusCode} ${response.body.slice(0, 400)}`);
    }
    expect(failures.slice(0, 5)).toEqual([]);
    expect(count).toBeGreaterThan(500);
  });
});
