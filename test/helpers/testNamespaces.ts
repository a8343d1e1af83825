import { afterAll } from 'vitest';
import { dropNamespace, uniqueNamespace } from './localLake.ts';

/**
 * The namespaces of one test file: call at the file's top level; each call of the function it
 * returns names a new unique namespace, and all of them are dropped when the file's tests are done.
 */
export function testNamespaces(): (prefix: string) => string {
  const namespaces: string[] = [];
  afterAll(async () => {
    for (const namespace of namespaces) await dropNamespace(namespace);
  });
  return (prefix) => {
    const namespace = uniqueNamespace(prefix);
    namespaces.push(namespace);
    return namespace;
  };
}
