// Birds as one-pixel dots, written straight into a storage texture by a compute shader: no
// triangles, no rasterizer. `clear` empties the texture; `splat` writes one pixel per bird.

struct SplatParams {
    count: u32,
    width: u32,
    height: u32,
    radius: u32,
}

@group(0) @binding(0) var target_tex: texture_storage_2d<rgba8unorm, write>;
@group(0) @binding(1) var<storage, read> birds: array<vec4<f32>>;
@group(0) @binding(2) var<uniform> params: SplatParams;

@compute @workgroup_size(8, 8, 1)
fn clear(@builtin(global_invocation_id) id: vec3<u32>) {
    if (id.x < params.width && id.y < params.height) {
        textureStore(target_tex, vec2<i32>(id.xy), vec4<f32>(0.0, 0.0, 0.0, 0.0));
    }
}

@compute @workgroup_size(64, 1, 1)
fn splat(@builtin(global_invocation_id) id: vec3<u32>) {
    if (id.x >= params.count) {
        return;
    }
    let bird = birds[id.x];
    let colour = vec4<f32>(unpack4x8unorm(bitcast<u32>(bird.z)).rgb, 1.0);
    let centre = vec2<i32>(floor(bird.xy));
    let r = i32(params.radius);
    for (var dy = 0; dy <= r; dy++) {
        for (var dx = 0; dx <= r; dx++) {
            let p = centre + vec2<i32>(dx, dy);
            if (p.x >= 0 && p.y >= 0 && p.x < i32(params.width) && p.y < i32(params.height)) {
                textureStore(target_tex, p, colour);
            }
        }
    }
}
