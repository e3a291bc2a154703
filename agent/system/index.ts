/**
 * PC health and equipment inventory for the agent. Health is the every-few-minutes sample (cheap calls only);
 * inventory is the daily document (slow calls). Both resolve with partial data and an `errors` list rather than throw.
 */
export { collectHealth, siHealthSources, type CollectHealthOptions, type HealthSources } from './health.js';
export {
  collectInventory,
  siInventorySources,
  windowsPnpUsb,
  parsePnpJson,
  type CollectInventoryOptions,
  type InventorySources,
} from './inventory.js';
export { classifyUsb, usbInventory, type UsbClassification, type UsbFacts, type UsbInventory } from './usb-classes.js';
