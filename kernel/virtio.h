/* virtio.h: the virtio 1.x MMIO transport, split virtqueues, the block device.
 * Written from the virtio 1.x specification (sections 2, 4.2 and 5.2).
 */
#ifndef VIRTIO_H
#define VIRTIO_H

#include "types.h"

/* MMIO registers (non-legacy layout, Version 2), byte offsets. */
#define VIRTIO_MMIO_MAGIC 0x000          /* "virt" in little-endian */
#define VIRTIO_MMIO_VERSION 0x004        /* 2 = virtio 1.x; 1 = legacy */
#define VIRTIO_MMIO_DEVICE_ID 0x008      /* 0 = no device in this slot */
#define VIRTIO_MMIO_VENDOR_ID 0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES 0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014 /* which 32 bits of the 64 */
#define VIRTIO_MMIO_DRIVER_FEATURES 0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_MMIO_QUEUE_SEL 0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX 0x034
#define VIRTIO_MMIO_QUEUE_NUM 0x038
#define VIRTIO_MMIO_QUEUE_READY 0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY 0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS 0x060
#define VIRTIO_MMIO_INTERRUPT_ACK 0x064
#define VIRTIO_MMIO_STATUS 0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW 0x080
#define VIRTIO_MMIO_QUEUE_DESC_HIGH 0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW 0x090 /* the available ring */
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH 0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW 0x0a0 /* the used ring */
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH 0x0a4
#define VIRTIO_MMIO_CONFIG_GENERATION 0x0fc
#define VIRTIO_MMIO_CONFIG 0x100           /* device-specific configuration */

#define VIRTIO_MAGIC 0x74726976
#define VIRTIO_DEV_BLOCK 2

/* Device status bits: the driver sets them in this order during setup. */
#define VIRTIO_STATUS_ACKNOWLEDGE 1 /* the driver has seen the device */
#define VIRTIO_STATUS_DRIVER 2      /* and knows how to drive it */
#define VIRTIO_STATUS_DRIVER_OK 4   /* ready: the device may use the queues */
#define VIRTIO_STATUS_FEATURES_OK 8 /* feature negotiation is over */
#define VIRTIO_STATUS_NEEDS_RESET 64
#define VIRTIO_STATUS_FAILED 128

/* Interrupt status bits. */
#define VIRTIO_INT_USED 1   /* a used buffer was returned */
#define VIRTIO_INT_CONFIG 2 /* the configuration changed */

/* Feature bits. */
#define VIRTIO_F_VERSION_1 32 /* a virtio 1.x device; mandatory non-legacy */
#define VIRTIO_BLK_F_SIZE_MAX 1
#define VIRTIO_BLK_F_SEG_MAX 2
#define VIRTIO_BLK_F_RO 5
#define VIRTIO_BLK_F_BLK_SIZE 6
#define VIRTIO_BLK_F_FLUSH 9

/* A split virtqueue: descriptor table (16-byte aligned), available ring
 * (driver to device, 2-byte aligned), used ring (device to driver, 4-byte
 * aligned).  All fields little-endian, as RISC-V is. */
#define VRING_DESC_F_NEXT 1  /* the chain continues in `next` */
#define VRING_DESC_F_WRITE 2 /* the device writes this buffer */

struct vring_desc {
	u64 addr; /* physical address */
	u32 len;
	u16 flags;
	u16 next;
};

struct vring_avail {
	u16 flags;
	u16 idx;    /* where the driver puts the next entry (mod queue size) */
	u16 ring[]; /* heads of descriptor chains; then used_event */
};

struct vring_used_elem {
	u32 id;  /* head of the chain the device is done with */
	u32 len; /* bytes it wrote */
};

struct vring_used {
	u16 flags;
	u16 idx; /* where the device puts the next entry */
	struct vring_used_elem ring[];
};

/* A block request: header (device reads), data, status byte (device
 * writes).  Sectors are 512 bytes whatever the device's block size. */
#define VIRTIO_BLK_T_IN 0  /* read */
#define VIRTIO_BLK_T_OUT 1 /* write */
#define VIRTIO_BLK_T_FLUSH 4
#define VIRTIO_BLK_S_OK 0
#define VIRTIO_BLK_S_IOERR 1
#define VIRTIO_BLK_S_UNSUPP 2
#define SECTOR_SIZE 512

struct virtio_blk_req {
	u32 type;
	u32 reserved;
	u64 sector;
};

#endif
