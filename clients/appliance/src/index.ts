/** The Clientele appliance SDK: see README.md. */
export { Appliance, LockedError, type ApplianceOptions, type DeviceState, type RunningUse, type UseOptions } from './appliance.js';
export { FileRecordQueue, MemoryRecordQueue, type DeviceMemory, type RecordQueue } from './record-queue.js';
export { HttpTransport, MqttTransport, type Credentials, type SendResult, type Transport, type TransportEvents } from './transport.js';
export { LocalHomeNetwork, UdpHomeNetwork, type HomeNetwork } from './home-network.js';
export * from './protocol.js';
