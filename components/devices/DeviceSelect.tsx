import type { WireDevice } from "@/lib/devices/wire.ts";
import { ChoiceSelect } from "../forms/ChoiceSelect.tsx";

/** A "Device" field choosing a device by its name; `placeholder` adds an empty first choice. */
export function DeviceSelect(props: {
  devices: WireDevice[];
  value: string;
  onChange: (deviceId: string) => void;
  placeholder?: string;
  required?: boolean;
}) {
  const { devices, ...select } = props;
  return (
    <ChoiceSelect
      label="Device"
      choices={devices.map((d) => ({ value: d.device_id, label: d.name }))}
      {...select}
    />
  );
}
