//! `pve-sim`: runs the simulator on a loopback port until interrupted, for trying a client by
//! hand. `pve-sim pct ...` is the `pct` of a simulated node (see `pve_sim::node`).

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("pct") {
        std::process::exit(pve_sim::node::client(&args[1..]));
    }
    tokio::runtime::Runtime::new()
        .expect("a tokio runtime")
        .block_on(serve());
}

async fn serve() {
    let sim = pve_sim::Sim::start().await;
    let ca = std::env::temp_dir().join("pve-sim-ca.pem");
    std::fs::write(&ca, &sim.ca_pem).expect("writing the CA file");
    println!("url         {}/api2/json", sim.url);
    println!(
        "token       PVEAPIToken={}={}",
        pve_sim::TOKEN_ID,
        pve_sim::TOKEN_SECRET
    );
    println!("CA file     {}", ca.display());
    println!("fingerprint {}", sim.fingerprint);
    println!(
        "pct         pve-sim pct --control {} --node pve1 ...",
        sim.control
    );
    tokio::signal::ctrl_c().await.expect("waiting for Ctrl-C");
    for v in sim.violations() {
        println!("violation: {v}");
    }
}
