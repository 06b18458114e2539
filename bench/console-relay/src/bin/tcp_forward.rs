//! The floor of any relay: a plain TCP forwarder (no websocket, no checks) between the client
//! and the guest, in a process of its own like the relays measured. Prints its port.

use clap::Parser;
use tokio::net::{TcpListener, TcpStream};

#[derive(Parser)]
struct Args {
    #[arg(long)]
    guest_port: u16,
}

/// The portal relay's read size, so that the two differ only by what the portal adds.
const BUF: usize = 512 * 1024;

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    println!("{}", listener.local_addr().expect("bound").port());
    while let Ok((mut client, _)) = listener.accept().await {
        tokio::spawn(async move {
            let Ok(mut guest) = TcpStream::connect(("127.0.0.1", args.guest_port)).await else {
                return;
            };
            let _ = (client.set_nodelay(true), guest.set_nodelay(true));
            let _ =
                tokio::io::copy_bidirectional_with_sizes(&mut client, &mut guest, BUF, BUF).await;
        });
    }
}
