import { resolveLocalLakehouse } from '../../job/localLakehouse.ts';
import { lakehouseDown, lakehouseUp } from '../../scripts/lakehouse/lakehouseControl.ts';
import { resolveLayout } from '../../scripts/lakehouse/layout.ts';

/**
 * Starts the local lakehouse for the integration suite, or reuses the one `npm run lakehouse -- up`
 * already started; stops at the end only what it started itself.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const layout = resolveLayout(process.env);
  const { started } = await lakehouseUp(layout, resolveLocalLakehouse(process.env), (line) =>
    console.error(line),
  );
  return async () => {
    if (started.length > 0) await lakehouseDown(layout);
  };
}
