//! `botbat-receiver`: the inspector's local receiver without the console, for scripts and
//! for testing that a killed receiver loses nothing it acknowledged.
//!
//! `botbat-receiver --listen 127.0.0.1:0 --db inspector.sqlite [--forward URL]
//! [--secret whsec_…] [--keep-captures N] [--keep-days D]` prints
//! `receiver ready: http://ADDR` once it accepts requests. Credential headers are stored
//! masked; without the console's keychain no replay can recognise them later.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use botbat_webhooks::capture::{CaptureStore, Retention};
use botbat_webhooks::forward::parse_target;
use botbat_webhooks::inspector::{start_receiver, Behaviour, InspectorCore, ReceiverConfig};
use botbat_webhooks::Candidate;

struct Args {
    listen: SocketAddr,
    db: PathBuf,
    forward: Option<String>,
    secret: Option<String>,
    retention: Retention,
}

fn parse_args() -> Result<Args, String> {
    let mut listen: SocketAddr = "127.0.0.1:0".parse().map_err(|_| "address")?;
    let mut db = PathBuf::from("inspector.sqlite");
    let (mut forward, mut secret) = (None, None);
    let mut retention = Retention::default();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--listen" => {
                listen = value()?
                    .parse()
                    .map_err(|_| "--listen takes an address such as 127.0.0.1:4040")?
            }
            "--db" => db = PathBuf::from(value()?),
            "--forward" => forward = Some(value()?),
            "--secret" => secret = Some(value()?),
            "--keep-captures" => {
                retention.max_captures = value()?
                    .parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or("--keep-captures takes a count of at least 1, e.g. 100000")?
            }
            "--keep-days" => {
                retention.max_age_days = value()?
                    .parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or("--keep-days takes a number of days of at least 1, e.g. 30")?
            }
            other => return Err(format!("unknown argument {other}; see the module docs")),
        }
    }
    Ok(Args {
        listen,
        db,
        forward,
        secret,
        retention,
    })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = parse_args().map_err(anyhow::Error::msg)?;
    let store = CaptureStore::open(&args.db).await?;
    store.set_retention(args.retention).await?;
    let secret = args.secret.clone();
    let core = Arc::new(InspectorCore::new(
        store,
        "sandbox",
        Arc::new(move || {
            secret
                .iter()
                .map(|s| Candidate::new("given", s.clone()))
                .collect()
        }),
        Arc::new(|_| {}),
    ));
    if let Some(forward) = &args.forward {
        let target = parse_target(forward).map_err(anyhow::Error::msg)?;
        core.set_behaviour(Behaviour {
            forward_target: Some(target),
            ..Behaviour::default()
        });
    }
    let receiver = start_receiver(core, ReceiverConfig::new(args.listen)).await?;
    println!("receiver ready: http://{}", receiver.addr);
    tokio::signal::ctrl_c().await?;
    receiver.stop().await;
    Ok(())
}
