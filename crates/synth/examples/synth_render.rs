//! Renders a scenario file to SigMF and, with `--cf32 FILE`, also writes the raw cf32 samples
//! (what `grgsm_decode -c` reads). Usage: `synth_render SCENARIO.json OUT_BASE [--cf32 FILE]`.

use std::io::Write;

use cellsentry_synth::{Scenario, SceneRenderer};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: synth_render SCENARIO.json OUT_BASE [--cf32 FILE]");
        std::process::exit(2);
    }
    let s = Scenario::load(&args[1])?;
    let t0 = std::time::Instant::now();
    let paths = s.render_to_sigmf(&args[2])?;
    let dt = t0.elapsed().as_secs_f64();
    let n = s.total_samples() as f64;
    println!(
        "{}: {:.0} samples in {dt:.2} s = {:.1} Msps generated per second ({:.1}x real time)",
        paths.data.display(),
        n,
        n / dt / 1e6,
        s.duration_s / dt
    );
    if args.len() >= 5 && args[3] == "--cf32" {
        let mut r = SceneRenderer::new(&s, s.center_freq_hz, 0)?;
        let mut f = std::io::BufWriter::new(std::fs::File::create(&args[4])?);
        let mut buf = Vec::new();
        let mut left = s.total_samples();
        while left > 0 {
            let k = left.min(1 << 16) as usize;
            r.render(k, &mut buf);
            for c in &buf {
                f.write_all(&c.re.to_le_bytes())?;
                f.write_all(&c.im.to_le_bytes())?;
            }
            left -= k as u64;
        }
        for c in r.rendered_cells() {
            for (name, b) in &c.si_blocks {
                println!(
                    "{name} {}",
                    b.iter().map(|x| format!("{x:02x}")).collect::<String>()
                );
            }
        }
    }
    Ok(())
}
