import { AttributionService } from '../src/attribution/attribution.service';
const rows: any[] = [];
for (let i = 0; i < 105000; i++) {
  const a = (0x0a000000 + i * 4) >>> 0;
  const key = i % 2 ? `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}/30` : `2001:db8:${(i & 0xffff).toString(16)}:${(i >>> 16).toString(16)}::/64`;
  rows.push({ id: String(i + 1), key, account_id: String(1 + (i % 20000)), from_ms: 1795640000000 + i, to_ms: i % 20 === 0 ? 1795640000000 + i + 5 : null });
}
const svc: any = new AttributionService({} as any, { syncIntervalMs: 1000, historyDays: 90 });
for (let rep = 0; rep < 3; rep++) {
  const c = process.cpuUsage(); const t = Date.now();
  svc.clear();
  for (const r of rows) svc.applyIpRow(r);
  console.log('build cpu ms', (process.cpuUsage(c).user / 1000).toFixed(0), 'wall', Date.now() - t);
}
