import type { ApiopsCommand } from '../command';
import { notAvailableYet } from './not-available';

export const emulatorCommand: ApiopsCommand = notAvailableYet('emulator', 'Run the local APIM management-plane emulator');
