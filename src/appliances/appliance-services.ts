import type { DataSource } from 'typeorm';
import { InlineDeviceService } from './inline-device.service';
import { PreseemSettingsService } from './preseem-settings.service';

/** The appliance domain services the API uses (the pollers build their own from the same DataSource). */
export interface ApplianceServices {
  inlineDevices: InlineDeviceService;
  preseem: PreseemSettingsService;
}

export function createApplianceServices(dataSource: DataSource): ApplianceServices {
  return { inlineDevices: new InlineDeviceService(dataSource), preseem: new PreseemSettingsService(dataSource) };
}
