//! Runs the simulator on a loopback port until interrupted, for trying a client by hand.

#[tokio::main]
async fn main() {
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
    tokio::signal::ctrl_c().await.expect("waiting for Ctrl-C");
    for v in sim.violations() {
        println!("violation: {v}");
    }
}
