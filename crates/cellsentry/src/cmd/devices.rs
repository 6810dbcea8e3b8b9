//! `cellsentry devices`: the SoapySDR radios attached to this machine.

use anyhow::Result;
use cellsentry_capture::soapy;

use crate::cli::DevicesArgs;
use crate::exit;
use crate::output::Table;

pub fn run(args: &DevicesArgs) -> Result<i32> {
    let mut devices = soapy::list_devices()?;
    if !args.filter.is_empty() {
        let wanted: Vec<(String, String)> = args
            .filter
            .split(',')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect();
        devices.retain(|d| wanted.iter().all(|(k, v)| d.args.get(k) == Some(v)));
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&devices)?);
        return Ok(exit::OK);
    }
    if devices.is_empty() {
        println!(
            "no radio found. Plug in a HackRF, LimeSDR or RTL-SDR and install its SoapySDR module \
             (Debian: soapysdr-module-hackrf, soapysdr-module-lms7, soapysdr-module-rtlsdr)."
        );
        return Ok(exit::OK);
    }
    let mut table = Table::new(["device string", "label", "driver"]);
    for d in &devices {
        table.row([d.args_string(), d.label.clone(), d.driver.clone()]);
    }
    print!("{}", table.render());
    Ok(exit::OK)
}
